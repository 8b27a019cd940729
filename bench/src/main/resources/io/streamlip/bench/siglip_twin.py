"""The PyTorch twin of streamlip's DJL SigLIP model, for `streamlip bench trainer-vs-pytorch`.

Built from the Java ModelConfig serialised as JSON (the same hyperparameters the DJL model uses),
so when the Java model changes only the mapping below has to follow; an unknown field or value
is an error, never silently ignored. The architecture mirrors trainer/model/*.java:
  image: Conv2d patch embedding (kernel = stride = patch, bias) + learned positions, pre-LN
         blocks, final LayerNorm, mean over patches, Linear projection without bias;
  text:  token table + learned positions, pre-LN blocks with an additive padding mask, final
         LayerNorm, masked-mean or last-token pooling, Linear projection without bias;
  block: x + out(attn(LN(x))) with one fused qkv Linear, then x + fc2(gelu(fc1(LN(x))));
  loss:  softplus(-z * (exp(t') x y^T + b)).sum() / B with z = 2I - 1;
  optim: AdamW (betas 0.9/0.95, decay on tensors of rank >= 2 only), global-norm clipping.

Protocol: one JSON object per line on stdin, one JSON reply per line on stdout (logs go to
stderr). The first request configures: {"model": {...}, "batch": B, "threads": T, "seed": S,
"optimizer": {...}}; then {"op": "steps", "n": k} times k training steps and {"op": "matmul",
"n": N, "reps": r} times N x N float32 products. EOF ends the process.
"""

import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

KNOWN_FIELDS = {
    "name", "imageSize", "patchSize", "imageWidth", "imageDepth", "imageHeads", "textWidth",
    "textDepth", "textHeads", "mlpRatio", "embedDim", "contextLength", "vocabSize",
    "textPooling", "imagePooling", "family", "mlpWidth", "layerNormEps", "mlpActivation",
    "imageProjection", "textProjectionBias", "padTokenId", "moe", "decoder",
}
# Fields the twin knows but implements only at these values (the Java defaults). Hugging Face
# SigLIP's layout (the b16 preset) is checked by hf_siglip_reference.py instead.
ONLY = {"family": "TWO_TOWER", "layerNormEps": 1e-5, "mlpActivation": "GELU",
        "imageProjection": True, "textProjectionBias": False}
MASKED = -1e9  # TextTower.MASKED


class Block(nn.Module):
    """TransformerBlock.java: pre-LN, fused qkv, attention by hand, GELU MLP."""

    def __init__(self, width, heads, mlp_ratio):
        super().__init__()
        self.width, self.heads = width, heads
        self.attention_norm = nn.LayerNorm(width, eps=1e-5)
        self.qkv = nn.Linear(width, 3 * width)
        self.attention_out = nn.Linear(width, width)
        self.mlp_norm = nn.LayerNorm(width, eps=1e-5)
        self.mlp_in = nn.Linear(width, mlp_ratio * width)
        self.mlp_out = nn.Linear(mlp_ratio * width, width)

    def forward(self, x, mask=None):
        b, s, _ = x.shape
        d = self.width // self.heads
        h = self.attention_norm(x)
        # As MultiHeadAttention.java splits: on the (q, k, v) axis first, then each part to
        # (b, heads, s, d); backward stacks the parts straight into the projection's layout.
        q, k, v = (part.transpose(1, 2) for part in
                   self.qkv(h).reshape(b, s, 3, self.heads, d).unbind(2))
        scores = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(d))
        if mask is not None:
            scores = scores + mask
        attended = scores.softmax(-1) @ v
        merged = attended.transpose(1, 2).reshape(b, s, self.width)
        x = x + self.attention_out(merged)
        h = self.mlp_out(F.gelu(self.mlp_in(self.mlp_norm(x))))
        return x + h


class ImageTower(nn.Module):
    def __init__(self, c):
        super().__init__()
        w = c["imageWidth"]
        p = c["patchSize"]
        patches = (c["imageSize"] // p) ** 2
        self.patch_embedding = nn.Conv2d(3, w, kernel_size=p, stride=p)
        self.positions = nn.Parameter(torch.randn(1, patches, w) * 0.02)
        self.blocks = nn.ModuleList(
            Block(w, c["imageHeads"], c["mlpRatio"]) for _ in range(c["imageDepth"]))
        self.final_norm = nn.LayerNorm(w, eps=1e-5)
        self.projection = nn.Linear(w, c["embedDim"], bias=False)

    def forward(self, images):
        x = self.patch_embedding(images).flatten(2).transpose(1, 2) + self.positions
        for block in self.blocks:
            x = block(x)
        return self.projection(self.final_norm(x).mean(1))


class TextTower(nn.Module):
    def __init__(self, c):
        super().__init__()
        w = c["textWidth"]
        self.pooling = c["textPooling"]
        self.token_table = nn.Parameter(torch.randn(c["vocabSize"], w) * 0.02)
        self.positions = nn.Parameter(torch.randn(1, c["contextLength"], w) * 0.01)
        self.blocks = nn.ModuleList(
            Block(w, c["textHeads"], c["mlpRatio"]) for _ in range(c["textDepth"]))
        self.final_norm = nn.LayerNorm(w, eps=1e-5)
        self.projection = nn.Linear(w, c["embedDim"], bias=False)

    def forward(self, ids, mask):
        b, s = ids.shape
        x = F.embedding(ids, self.token_table) + self.positions
        additive = ((mask - 1.0) * -MASKED).reshape(b, 1, 1, s)
        for block in self.blocks:
            x = block(x, additive)
        x = self.final_norm(x)
        if self.pooling == "MEAN":
            weights = mask / mask.sum(1, keepdim=True)
        else:  # LAST: where the mask steps from 1 to 0
            weights = mask - torch.cat([mask[:, 1:], torch.zeros(b, 1)], 1)
        return self.projection((x * weights.unsqueeze(2)).sum(1))


class Siglip(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.image = ImageTower(c)
        self.text = TextTower(c)
        self.log_temperature = nn.Parameter(torch.tensor([math.log(10.0)]))
        self.bias = nn.Parameter(torch.tensor([-10.0]))

    def forward(self, images, ids, mask):
        x = F.normalize(self.image(images), dim=1, eps=1e-6)
        y = F.normalize(self.text(ids, mask), dim=1, eps=1e-6)
        return (x @ y.t()) * self.log_temperature.exp() + self.bias


def sigmoid_loss(logits):
    b = logits.shape[0]
    minus_z = 1.0 - 2.0 * torch.eye(b)
    return F.softplus(logits * minus_z).sum() / b


def check_config(c):
    unknown = set(c) - KNOWN_FIELDS
    if unknown:
        raise ValueError(
            "the Java ModelConfig has fields this twin does not know: %s; make "
            "siglip_twin.py follow the Java model" % sorted(unknown))
    for field, value in ONLY.items():
        if c.get(field, value) != value:
            raise ValueError("%s %s is not implemented in the twin" % (field, c[field]))
    if c.get("mlpWidth") is not None:
        raise ValueError("mlpWidth %s is not implemented in the twin" % c["mlpWidth"])
    # The other families' settings (LIMoE's experts, the captioner's decoder): two towers have none.
    for field in ("moe", "decoder"):
        if c.get(field) is not None:
            raise ValueError("%s is not implemented in the twin (two towers only)" % field)
    if c["textPooling"] not in ("MEAN", "LAST"):
        raise ValueError("textPooling %s is not implemented in the twin" % c["textPooling"])
    if c.get("imagePooling", "MEAN") != "MEAN":
        raise ValueError("imagePooling %s is not implemented in the twin" % c["imagePooling"])


class Session:
    def __init__(self, request):
        c = request["model"]
        check_config(c)
        torch.set_num_threads(int(request["threads"]))
        torch.manual_seed(int(request.get("seed", 1)))
        self.batch = int(request["batch"])
        self.model = Siglip(c)
        o = request["optimizer"]
        decay = [p for p in self.model.parameters() if p.dim() >= 2]
        rest = [p for p in self.model.parameters() if p.dim() < 2]
        self.optimizer = torch.optim.AdamW(
            [{"params": decay, "weight_decay": o["weightDecay"]},
             {"params": rest, "weight_decay": 0.0}],
            lr=o["learningRate"], betas=(o["beta1"], o["beta2"]), eps=o["epsilon"])
        self.clip = o["clipNorm"]
        self.peak = o["learningRate"]
        self.warmup = max(1, int(o["warmupSteps"]))
        self.step_count = 0
        b, size, s = self.batch, c["imageSize"], c["contextLength"]
        # A few distinct batches, like the Java side's synthetic ones: random pixels in [-1, 1],
        # random ids, captions of random length (at least 2 tokens) padded to the context.
        self.batches = []
        for _ in range(4):
            images = torch.rand(b, 3, size, size) * 2 - 1
            lengths = torch.randint(2, s + 1, (b, 1))
            mask = (torch.arange(s).unsqueeze(0) < lengths).float()
            ids = (torch.randint(2, c["vocabSize"], (b, s)) * mask.long())
            self.batches.append((images, ids, mask))

    def parameters(self):
        return sum(p.numel() for p in self.model.parameters())

    def step(self):
        images, ids, mask = self.batches[self.step_count % len(self.batches)]
        self.step_count += 1
        lr = self.peak * min(1.0, self.step_count / self.warmup)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        self.optimizer.zero_grad(set_to_none=True)
        loss = sigmoid_loss(self.model(images, ids, mask))
        loss.backward()
        if self.clip > 0:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.clip)
        self.optimizer.step()
        return loss.item()

    def steps(self, n):
        ms, loss = [], float("nan")
        for _ in range(n):
            start = time.perf_counter()
            loss = self.step()
            ms.append((time.perf_counter() - start) * 1e3)
        return {"ms": ms, "loss": loss}


def matmul(n, reps):
    a = torch.rand(n, n)
    b = torch.rand(n, n)
    a @ b  # warm-up
    gflops = []
    for _ in range(reps):
        start = time.perf_counter()
        a @ b
        gflops.append(2.0 * n ** 3 / (time.perf_counter() - start) / 1e9)
    return {"gflops": gflops}


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    session = None
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            if session is None:
                session = Session(request)
                reply({"ready": True, "parameters": session.parameters(),
                       "torch": torch.__version__, "threads": torch.get_num_threads(),
                       "parallel": torch.__config__.parallel_info().splitlines()[:6]})
            elif request["op"] == "steps":
                reply(session.steps(int(request["n"])))
            elif request["op"] == "matmul":
                reply(matmul(int(request["n"]), int(request["reps"])))
            else:
                raise ValueError("unknown op %r" % request["op"])
        except Exception as e:  # the Java side shows it and stops
            reply({"error": "%s: %s" % (type(e).__name__, e)})
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
