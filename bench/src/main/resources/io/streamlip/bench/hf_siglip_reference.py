"""A plain-torch reference of Hugging Face transformers' SiglipModel forward (modeling_siglip.py).

It checks streamlip's `model export` and `model import` without transformers (not installable
here): the modules below carry exactly transformers' state-dict names, so `load_state_dict(...,
strict=True)` fails on any missing, extra or misshapen tensor; the forward follows
modeling_siglip.py's eager path:
  vision: Conv2d patches (kernel = stride = patch, "valid") + position_embedding, pre-LN encoder
          layers (layer_norm1, self_attn with q/k/v/out_proj, layer_norm2, mlp fc1/fc2 with
          gelu_pytorch_tanh), post_layernorm, head = SiglipMultiheadAttentionPoolingHead (probe,
          nn.MultiheadAttention, layernorm, mlp; residual around the mlp), no projection;
  text:   token_embedding + position_embedding, the same encoder without an attention mask,
          final_layer_norm, the state at the last position, head Linear;
  logits_per_text = text_embeds @ image_embeds.T * logit_scale.exp() + logit_bias, both sides
          L2-normalised.
Safetensors are read and written with the standard library and torch (the `safetensors` package
is not installed): 8-byte little-endian header length, JSON header, raw little-endian tensors.

Usage:
  hf_siglip_reference.py forward MODEL_DIR INPUTS OUTPUTS
      INPUTS holds pixel_values (B, 3, H, W) and input_ids (B, S) (as float32); OUTPUTS gets
      image_embeds, text_embeds and logits_per_text (float32).
  hf_siglip_reference.py init MODEL_DIR SEED DTYPE
      writes MODEL_DIR/model.safetensors for MODEL_DIR/config.json with random weights (DTYPE F32
      or BF16), as transformers' SiglipModel would hold them.
"""

import json
import math
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}
NAMES = {v: k for k, v in DTYPES.items()}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    base = 8 + n
    for name, t in header.items():
        if name == "__metadata__":
            continue
        begin, end = t["data_offsets"]
        raw = bytearray(data[base + begin:base + end])
        tensor = torch.frombuffer(raw, dtype=DTYPES[t["dtype"]]) if raw else torch.empty(0)
        out[name] = tensor.reshape(t["shape"]).clone()
    return out


def write_safetensors(path, tensors, dtype="F32"):
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().to(DTYPES[dtype]).contiguous()
        raw = t.view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": dtype, "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in chunks:
            f.write(raw)


class Attention(nn.Module):
    """SiglipAttention: separate q/k/v/out projections, softmax in float32."""

    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q_proj = nn.Linear(width, width)
        self.k_proj = nn.Linear(width, width)
        self.v_proj = nn.Linear(width, width)
        self.out_proj = nn.Linear(width, width)

    def forward(self, x):
        b, s, w = x.shape
        d = w // self.heads

        def heads(t):
            return t.view(b, s, self.heads, d).transpose(1, 2)

        q, k, v = heads(self.q_proj(x)), heads(self.k_proj(x)), heads(self.v_proj(x))
        weights = torch.matmul(q, k.transpose(2, 3)) * d ** -0.5
        weights = F.softmax(weights, dim=-1, dtype=torch.float32).to(q.dtype)
        out = torch.matmul(weights, v).transpose(1, 2).reshape(b, s, w)
        return self.out_proj(out)


class Mlp(nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.fc1 = nn.Linear(width, hidden)
        self.fc2 = nn.Linear(hidden, width)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x), approximate="tanh"))


class EncoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        w = c["hidden_size"]
        self.layer_norm1 = nn.LayerNorm(w, eps=c["layer_norm_eps"])
        self.self_attn = Attention(w, c["num_attention_heads"])
        self.layer_norm2 = nn.LayerNorm(w, eps=c["layer_norm_eps"])
        self.mlp = Mlp(w, c["intermediate_size"])

    def forward(self, x):
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.mlp(self.layer_norm2(x))


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layers = nn.ModuleList(EncoderLayer(c) for _ in range(c["num_hidden_layers"]))

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


class VisionEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        w, p = c["hidden_size"], c["patch_size"]
        self.patch_embedding = nn.Conv2d(c.get("num_channels", 3), w, kernel_size=p, stride=p,
                                         padding="valid")
        self.position_embedding = nn.Embedding((c["image_size"] // p) ** 2, w)

    def forward(self, pixels):
        x = self.patch_embedding(pixels).flatten(2).transpose(1, 2)
        return x + self.position_embedding.weight.unsqueeze(0)


class PoolingHead(nn.Module):
    """SiglipMultiheadAttentionPoolingHead."""

    def __init__(self, c):
        super().__init__()
        w = c["hidden_size"]
        self.probe = nn.Parameter(torch.randn(1, 1, w))
        self.attention = nn.MultiheadAttention(w, c["num_attention_heads"], batch_first=True)
        self.layernorm = nn.LayerNorm(w, eps=c["layer_norm_eps"])
        self.mlp = Mlp(w, c["intermediate_size"])

    def forward(self, x):
        probe = self.probe.repeat(x.shape[0], 1, 1)
        h = self.attention(probe, x, x, need_weights=False)[0]
        h = h + self.mlp(self.layernorm(h))
        return h[:, 0]


class VisionTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = VisionEmbeddings(c)
        self.encoder = Encoder(c)
        self.post_layernorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.head = PoolingHead(c)

    def forward(self, pixels):
        return self.head(self.post_layernorm(self.encoder(self.embeddings(pixels))))


class TextEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.token_embedding = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.position_embedding = nn.Embedding(c["max_position_embeddings"], c["hidden_size"])

    def forward(self, ids):
        return self.token_embedding(ids) + self.position_embedding.weight[: ids.shape[1]]


class TextTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = TextEmbeddings(c)
        self.encoder = Encoder(c)
        self.final_layer_norm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.head = nn.Linear(c["hidden_size"], c.get("projection_size", c["hidden_size"]))

    def forward(self, ids):
        x = self.final_layer_norm(self.encoder(self.embeddings(ids)))
        return self.head(x[:, -1, :])  # "sticky" EOS padding: the last position is an EOS


class SiglipModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        for tower in ("text_config", "vision_config"):
            act = config[tower].get("hidden_act", "gelu_pytorch_tanh")
            if act != "gelu_pytorch_tanh":
                raise ValueError("%s.hidden_act %s is not the reference's" % (tower, act))
        self.text_model = TextTransformer(config["text_config"])
        self.vision_model = VisionTransformer(config["vision_config"])
        self.logit_scale = nn.Parameter(torch.randn(1))
        self.logit_bias = nn.Parameter(torch.randn(1))

    def forward(self, pixels, ids):
        image = self.vision_model(pixels)
        text = self.text_model(ids)
        image = image / image.norm(p=2, dim=-1, keepdim=True)
        text = text / text.norm(p=2, dim=-1, keepdim=True)
        logits = text @ image.t() * self.logit_scale.exp() + self.logit_bias
        return image, text, logits


def load_config(model_dir):
    with open(model_dir + "/config.json") as f:
        return json.load(f)


def main(argv):
    torch.set_num_threads(int(__import__("os").environ.get("REFERENCE_THREADS", "2")))
    op, model_dir = argv[1], argv[2]
    config = load_config(model_dir)
    if op == "forward":
        model = SiglipModel(config)
        model.load_state_dict(read_safetensors(model_dir + "/model.safetensors"), strict=True)
        model.eval()
        inputs = read_safetensors(argv[3])
        with torch.no_grad():
            image, text, logits = model(inputs["pixel_values"].float(),
                                        inputs["input_ids"].round().long())
        write_safetensors(argv[4], {"image_embeds": image, "text_embeds": text,
                                    "logits_per_text": logits})
    elif op == "init":
        torch.manual_seed(int(argv[3]))
        model = SiglipModel(config)
        with torch.no_grad():
            # Non-trivial norms and biases, so a swapped weight/bias or gamma/beta shows.
            for name, p in model.named_parameters():
                if p.dim() == 1:
                    p.normal_(1.0 if name.endswith("weight") else 0.0, 0.1)
            model.logit_scale.fill_(math.log(10.0))
            model.logit_bias.fill_(-10.0)
        write_safetensors(model_dir + "/model.safetensors", model.state_dict(), argv[4])
    else:
        raise SystemExit("unknown op " + op)
    print("ok", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
