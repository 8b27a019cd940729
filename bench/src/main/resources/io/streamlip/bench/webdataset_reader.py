"""Reads streamlip's WebDataset shards as the PyTorch world does, with the standard library only.

The `webdataset` package is not installable here, so this follows its documented rules: a shard
is a tar file; a member's key is its path up to the first dot of its basename and its extension
the rest; the members of one sample are adjacent (consecutive members with one key form one
sample, and a key that comes back later is an error). Images are decoded (PNG, 8-bit RGB, RGBA or
grey, every filter type) with zlib; captions are UTF-8 `.txt` members.

Usage:
  webdataset_reader.py check SHARD_DIR EXPECTED_JSONL
      every sample of every *.tar in SHARD_DIR (sorted) against EXPECTED_JSONL's lines
      {"key", "caption", "rgb_sha256", "size", "token_ids"}; prints a JSON summary, exits 1 on
      the first difference.
  webdataset_reader.py train SHARD_DIR REQUEST_JSON STEPS
      the PyTorch twin (siglip_twin.py beside this file, built from REQUEST_JSON as its first
      request) trains STEPS steps on batches made from the shards' images and token ids; prints
      {"losses": [...]}.
"""

import hashlib
import json
import os
import struct
import sys
import tarfile
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def samples(shard_dir):
    """Yields (key, {extension: bytes}) over the sorted shards, by webdataset's grouping."""
    seen = set()
    for name in sorted(f for f in os.listdir(shard_dir) if f.endswith(".tar")):
        with tarfile.open(os.path.join(shard_dir, name)) as tar:
            key, members = None, {}
            for member in tar:
                if not member.isfile():
                    continue
                directory, base = os.path.split(member.name)
                if "." not in base:
                    raise ValueError("%s: member %s has no extension" % (name, member.name))
                stem, extension = base.split(".", 1)
                member_key = os.path.join(directory, stem)
                if member_key != key:
                    if key is not None:
                        yield key, members
                    if member_key in seen:
                        raise ValueError("%s: the members of %s are not adjacent" % (name, member_key))
                    seen.add(member_key)
                    key, members = member_key, {}
                if extension in members:
                    raise ValueError("%s: %s.%s appears twice" % (name, key, extension))
                members[extension] = tar.extractfile(member).read()
            if key is not None:
                yield key, members


def decode_png(data):
    """(width, height, RGB bytes) of a PNG."""
    if data[:8] != PNG_SIGNATURE:
        raise ValueError("not a PNG")
    pos, idat, header = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    width, height, depth, color, _, _, interlace = header
    channels = {0: 1, 2: 3, 6: 4}.get(color)
    if depth != 8 or channels is None or interlace != 0:
        raise ValueError("PNG depth %d colour type %d interlace %d is not decoded here"
                         % (depth, color, interlace))
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, previous, pos = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[pos], bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                predictor = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + predictor) & 0xFF
            elif kind != 0:
                raise ValueError("PNG filter %d" % kind)
        rows.append(bytes(line))
        previous = line
    pixels = b"".join(rows)
    if channels == 3:
        return width, height, pixels
    rgb = bytearray()
    for i in range(0, len(pixels), channels):
        rgb += bytes([pixels[i]] * 3) if channels == 1 else pixels[i:i + 3]
    return width, height, bytes(rgb)


def image_member(members):
    for extension in ("png", "jpg", "jpeg"):
        if extension in members:
            return extension, members[extension]
    raise ValueError("no image member among %s" % sorted(members))


def check(shard_dir, expected_file):
    with open(expected_file, encoding="utf-8") as f:
        expected = [json.loads(line) for line in f if line.strip()]
    got = list(samples(shard_dir))
    if len(got) != len(expected):
        raise SystemExit("read %d samples, %d were written" % (len(got), len(expected)))
    for (key, members), want in zip(got, expected):
        extension, data = image_member(members)
        if extension != "png":
            raise SystemExit("%s: a %s image; only PNG is decoded here" % (key, extension))
        width, height, rgb = decode_png(data)
        caption = members["txt"].decode("utf-8")
        meta = json.loads(members["json"].decode("utf-8"))
        problems = []
        if key != want["key"]:
            problems.append("key %s, written %s" % (key, want["key"]))
        if caption != want["caption"]:
            problems.append("caption %r, written %r" % (caption, want["caption"]))
        if (width, height) != (want["size"], want["size"]):
            problems.append("image %dx%d, written %d" % (width, height, want["size"]))
        if hashlib.sha256(rgb).hexdigest() != want["rgb_sha256"]:
            problems.append("the decoded pixels differ from those written")
        if meta.get("token_ids") != want["token_ids"]:
            problems.append("token_ids %s, written %s" % (meta.get("token_ids"), want["token_ids"]))
        if problems:
            raise SystemExit("%s: %s" % (key, "; ".join(problems)))
    shards = len([f for f in os.listdir(shard_dir) if f.endswith(".tar")])
    print(json.dumps({"samples": len(got), "shards": shards}))


def train(shard_dir, request_file, steps):
    import torch
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import siglip_twin

    with open(request_file) as f:
        request = json.load(f)
    c = request["model"]
    size, context, batch = c["imageSize"], c["contextLength"], int(request["batch"])
    images, ids, masks = [], [], []
    for key, members in samples(shard_dir):
        width, height, rgb = decode_png(image_member(members)[1])
        if (width, height) != (size, size):
            raise SystemExit("%s: %dx%d, the model takes %d px" % (key, width, height, size))
        pixels = torch.frombuffer(bytearray(rgb), dtype=torch.uint8).float()
        images.append(pixels.reshape(size, size, 3).permute(2, 0, 1) / 127.5 - 1.0)
        tokens = json.loads(members["json"].decode("utf-8"))["token_ids"][:context]
        ids.append(tokens + [0] * (context - len(tokens)))
        masks.append([1.0] * len(tokens) + [0.0] * (context - len(tokens)))
    session = siglip_twin.Session(request)
    session.batches = [
        (torch.stack(images[i:i + batch]), torch.tensor(ids[i:i + batch]),
         torch.tensor(masks[i:i + batch]))
        for i in range(0, len(images) - batch + 1, batch)]
    losses = [session.step()["loss"] for _ in range(steps)]
    print(json.dumps({"losses": losses, "batches": len(session.batches)}))


if __name__ == "__main__":
    if sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "train":
        train(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        raise SystemExit("unknown command " + sys.argv[1])
