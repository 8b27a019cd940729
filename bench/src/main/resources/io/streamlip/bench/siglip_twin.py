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
  optim: trainer/optim/AdamW.java, operation by operation (DjlAdamW below): decayed tensors (rank
         >= 2) first in one flat buffer, global-norm clipping of the concatenated gradient only
         above the norm, DJL's fused adamUpdate kernel (decoupled decay w -= w*lr*wd, epsilon
         added to the uncorrected sqrt(v), bias corrections folded into the rate) with its
         float32 constants, and LearningRateSchedule.java's linear warm-up then cosine decay.

Protocol: one JSON object per line on stdin, one JSON reply per line on stdout (logs go to
stderr). The first request configures: {"model": {...}, "batch": B, "threads": T, "seed": S,
"optimizer": {...}}; then {"op": "steps", "n": k} times k training steps on the twin's own
synthetic batches and {"op": "matmul", "n": N, "reps": r} times N x N float32 products.
With "parity": {"weights": FILE, "dtype": "float32"|"float64", "permute": P} in the first request
the model starts from the safetensors FILE the Java side wrote (streamlip's canonical parameter
names, every tensor used exactly once) and trains on batches the Java side writes:
{"op": "gradients", "batch": FILE, "out": FILE} writes the loss's gradients (no update),
{"op": "train", "batch": FILE} runs one step and {"op": "save", "out": FILE} writes the weights,
all as safetensors under the Java names (float32). P > 0 permutes every batch's rows by a fixed
permutation drawn from P: the same loss and gradients in exact arithmetic, another float32
summation order. A batch file holds images (B, 3, H, W), ids and mask (B, S), float32.
EOF ends the process.
"""

import json
import math
import struct
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
            weights = mask - torch.cat([mask[:, 1:], torch.zeros(b, 1, dtype=mask.dtype)], 1)
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
    minus_z = 1.0 - 2.0 * torch.eye(b, dtype=logits.dtype)
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


def f32(x):
    """x rounded to float32, as Java's (float) cast and the JNI's jfloat arguments round it."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


class Schedule:
    """LearningRateSchedule.java: linear warm-up from 0, cosine decay to min, then min."""

    def __init__(self, o):
        self.peak, self.min = o["learningRate"], o["minLearningRate"]
        self.warmup, self.total = int(o["warmupSteps"]), int(o["scheduleSteps"])

    def at(self, step):
        if step <= 0:
            return 0.0
        if step <= self.warmup:
            return self.peak * step / self.warmup
        decay = max(1, self.total - self.warmup)
        progress = min(1.0, (step - self.warmup) / decay)
        return self.min + (self.peak - self.min) * 0.5 * (1 + math.cos(math.pi * progress))


class DjlAdamW:
    """trainer/optim/AdamW.java with DJL's fused adamUpdate kernel, operation by operation.

    The trainable tensors become views of one flat buffer, decayed ones (rank >= 2) first in the
    order given; a step concatenates the gradients in that order, takes one norm, and updates the
    two ranges as the kernel does:
        g = grad * rescale                 (rescale = clip / (norm + 1e-6) if norm > clip)
        w -= (w * lr) * wd                 (wd = 0 for the second range)
        m = m * b1 + (1 - b1) * g;  v = v * b2 + (1 - b2) * g * g
        w -= (m * lr*sqrt(1-b2^t)/(1-b1^t)) / (sqrt(v) + eps)
    with every constant rounded to float32 as the JNI call receives it. A non-finite norm skips
    the update (weights, moments and step unchanged), as the Java side does.
    """

    def __init__(self, named, o, dtype):
        ordered = ([(n, p) for n, p in named if p.dim() >= 2]
                   + [(n, p) for n, p in named if p.dim() < 2])
        self.params = [p for _, p in ordered]
        self.decayed = sum(p.numel() for p in self.params if p.dim() >= 2)
        total = sum(p.numel() for p in self.params)
        self.weights = torch.zeros(total, dtype=dtype)
        offset = 0
        with torch.no_grad():
            for p in self.params:
                n = p.numel()
                self.weights[offset:offset + n] = p.detach().reshape(-1).to(dtype)
                p.data = self.weights[offset:offset + n].view(p.shape)
                offset += n
        self.means = torch.zeros(total, dtype=dtype)
        self.variances = torch.zeros(total, dtype=dtype)
        self.schedule = Schedule(o)
        self.b1, self.b2 = o["beta1"], o["beta2"]
        self.eps, self.wd, self.clip = o["epsilon"], o["weightDecay"], o["clipNorm"]
        self.step_count = 0

    def step(self):
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in self.params]
        gradient = torch.cat([g.reshape(-1) for g in grads])
        norm = float(gradient.norm())
        for p in self.params:
            p.grad = None
        if not math.isfinite(norm):
            return {"skipped": True, "gradNorm": norm, "lr": 0.0, "step": self.step_count}
        clipped = self.clip > 0 and norm > self.clip
        rescale = f32(self.clip / (norm + 1e-6)) if clipped else 1.0
        self.step_count += 1
        t = self.step_count
        lr = self.schedule.at(t)
        corrected = lr * math.sqrt(1 - self.b2 ** t) / (1 - self.b1 ** t)
        with torch.no_grad():
            self._update(gradient, 0, self.decayed, lr, corrected, self.wd, rescale)
            self._update(gradient, self.decayed, gradient.numel(), lr, corrected, 0.0, rescale)
        return {"skipped": False, "gradNorm": norm, "lr": lr, "step": t}

    def _update(self, gradient, begin, end, lr, corrected, decay, rescale):
        if begin == end:
            return
        w = self.weights[begin:end]
        m = self.means[begin:end]
        v = self.variances[begin:end]
        g = gradient[begin:end].clone()
        b1, b2 = f32(self.b1), f32(self.b2)
        if rescale != 1.0:
            g.mul_(rescale)
        w.sub_(w.mul(f32(lr)).mul(f32(decay)))
        m.mul_(b1).add_(g, alpha=f32(1 - b1))
        v.mul_(b2).addcmul_(g, g, value=f32(1 - b2))
        w.sub_(m.mul(f32(corrected)).div(v.sqrt().add(f32(self.eps))))


def java_names(model):
    """Each parameter's streamlip canonical name (SiglipNames.canonical), by its torch name."""
    names = {}
    for module_name, module in model.named_modules():
        prefix = module_name.replace("blocks.", "block_").replace(".", "_")
        for local, _ in module.named_parameters(recurse=False):
            java = local
            if isinstance(module, nn.LayerNorm):  # DJL's LayerNorm holds gamma and beta
                java = {"weight": "gamma", "bias": "beta"}[local]
            torch_name = module_name + "." + local if module_name else local
            names[torch_name] = prefix + "_" + java if prefix else java
    return names


DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    """(ordered by position in the file) name -> tensor; F32, F16 and BF16."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, t in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        begin, end = t["data_offsets"]
        raw = bytearray(data[8 + n + begin:8 + n + end])
        tensor = torch.frombuffer(raw, dtype=DTYPES[t["dtype"]]) if raw else torch.empty(0)
        out[name] = tensor.reshape(t["shape"]).clone()
    return out


def write_safetensors(path, tensors):
    """name -> tensor, written as float32 in the given order."""
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        raw = t.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in chunks:
            f.write(raw)


class Session:
    """The model and its optimizer; batches come from the twin itself (timing) or from files."""

    def __init__(self, request):
        c = request["model"]
        check_config(c)
        torch.set_num_threads(int(request["threads"]))
        torch.manual_seed(int(request.get("seed", 1)))
        self.batch = int(request["batch"])
        self.model = Siglip(c)
        parity = request.get("parity")
        self.dtype = torch.float64 if parity and parity.get("dtype") == "float64" else torch.float32
        self.names = java_names(self.model)
        named = list(self.model.named_parameters())
        self.permutation = None
        if parity:
            weights = read_safetensors(parity["weights"])
            expected = set(self.names.values())
            if set(weights) != expected:
                raise ValueError("the weights file does not hold this model's tensors: missing %s,"
                                 " unknown %s" % (sorted(expected - set(weights)),
                                                  sorted(set(weights) - expected)))
            with torch.no_grad():
                for name, p in named:
                    w = weights[self.names[name]]
                    if tuple(w.shape) != tuple(p.shape):
                        raise ValueError("%s has shape %s in the file, %s in the twin"
                                         % (self.names[name], list(w.shape), list(p.shape)))
                    p.copy_(w)
            # The Java side's parameter order (the file's), for the flat buffer and the norm.
            order = {n: i for i, n in enumerate(weights)}
            named.sort(key=lambda np_: order[self.names[np_[0]]])
            self.model.to(self.dtype)
            named = [(n, dict(self.model.named_parameters())[n]) for n, _ in named]
            permute = int(parity.get("permute", 0))
            generator = torch.Generator().manual_seed(permute)
            self.permutation = (torch.randperm(self.batch, generator=generator)
                                if permute > 0 else None)
        self.optimizer = DjlAdamW(named, request["optimizer"], self.dtype)
        self.step_count = 0
        b, size, s = self.batch, c["imageSize"], c["contextLength"]
        # A few distinct batches, like the Java side's synthetic ones: random pixels in [-1, 1],
        # random ids, captions of random length (at least 2 tokens) padded to the context.
        self.batches = []
        for _ in range(0 if parity else 4):
            images = torch.rand(b, 3, size, size) * 2 - 1
            lengths = torch.randint(2, s + 1, (b, 1))
            mask = (torch.arange(s).unsqueeze(0) < lengths).float()
            ids = (torch.randint(2, c["vocabSize"], (b, s)) * mask.long())
            self.batches.append((images, ids, mask))

    def parameters(self):
        return sum(p.numel() for p in self.model.parameters())

    def read_batch(self, path):
        t = read_safetensors(path)
        images, ids, mask = t["images"], t["ids"].round().long(), t["mask"]
        if self.permutation is not None:
            images, ids, mask = (x[self.permutation] for x in (images, ids, mask))
        return images.to(self.dtype), ids, mask.to(self.dtype)

    def forward_backward(self, batch):
        loss = sigmoid_loss(self.model(*batch))
        loss.backward()
        return float(loss)

    def step(self, batch=None):
        if batch is None:
            batch = self.batches[self.step_count % len(self.batches)]
        self.step_count += 1
        loss = self.forward_backward(batch)
        update = self.optimizer.step()
        update["loss"] = loss
        update["temperature"] = float(self.model.log_temperature.exp())
        update["bias"] = float(self.model.bias)
        return update

    def steps(self, n):
        ms, loss = [], float("nan")
        for _ in range(n):
            start = time.perf_counter()
            loss = self.step()["loss"]
            ms.append((time.perf_counter() - start) * 1e3)
        return {"ms": ms, "loss": loss}

    def gradients(self, batch_file, out):
        loss = self.forward_backward(self.read_batch(batch_file))
        grads = {}
        for name, p in self.model.named_parameters():
            grads[self.names[name]] = p.grad if p.grad is not None else torch.zeros_like(p)
            p.grad = None
        write_safetensors(out, grads)
        return {"loss": loss}

    def save(self, out):
        write_safetensors(out, {self.names[n]: p for n, p in self.model.named_parameters()})
        return {"saved": out}


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
            elif request["op"] == "train":
                reply(session.step(session.read_batch(request["batch"])))
            elif request["op"] == "gradients":
                reply(session.gradients(request["batch"], request["out"]))
            elif request["op"] == "save":
                reply(session.save(request["out"]))
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
