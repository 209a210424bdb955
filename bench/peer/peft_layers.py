#!/usr/bin/env python3
"""Performance peer for `npm run bench:adapters`: the same layers in PyTorch
with Hugging Face PEFT's own LoRA and DoRA layers.

Forward + backward of one adapted linear layer, tokens x d_in input that
requires a gradient (as in a middle layer), frozen W, r = 16, alpha = 16,
dropout 0, against the frozen base nn.Linear alone; 768->768 and 3072->768.
Cases are interleaved rep by rep; the median of each and its ratio to the
base in the same run are printed, last line one JSON object.

Needs a Python with torch and peft (this machine's wheel mirror has them):
  python3 bench/peer/peft_layers.py [--reps 21] [--tokens 4096] [--threads 2]
"""
import argparse
import json
import statistics
import time

import peft
import torch
from peft import LoraConfig, get_peft_model


class OneLayer(torch.nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.layer = torch.nn.Linear(d_in, d_out)

    def forward(self, x):
        return self.layer(x)


def build(case, d_in, d_out, r):
    torch.manual_seed(0)
    model = OneLayer(d_in, d_out)
    if case == "base":
        model.requires_grad_(False)
        return model
    config = LoraConfig(
        r=r, lora_alpha=16, lora_dropout=0.0, target_modules=["layer"],
        use_dora=case == "dora", init_lora_weights=False,
    )
    return get_peft_model(model, config)


def step(model, x, dy):
    x.grad = None
    for p in model.parameters():
        p.grad = None
    y = model(x)
    y.backward(dy)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=21)
    ap.add_argument("--tokens", type=int, default=4096)
    ap.add_argument("--r", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    layers = []
    for d_in, d_out in ((768, 768), (3072, 768)):
        cases = ["base", "lora", "dora"]
        models = {c: build(c, d_in, d_out, args.r) for c in cases}
        x = torch.randn(args.tokens, d_in, requires_grad=True)
        dy = torch.randn(args.tokens, d_out)
        times = {c: [] for c in cases}
        for c in cases:  # warm-up
            step(models[c], x, dy)
        for _ in range(args.reps):
            for c in cases:
                t0 = time.perf_counter()
                step(models[c], x, dy)
                times[c].append((time.perf_counter() - t0) * 1e3)
        base = statistics.median(times["base"])
        rows = [{"case": c, "ms": round(statistics.median(times[c]), 3),
                 "ratio": round(statistics.median(times[c]) / base, 3)} for c in cases]
        shape = f"{d_in}x{d_out}"
        for row in rows:
            print(f"{shape:>9} {row['case']:>5} {row['ms']:9.2f} ms  {row['ratio']:.3f}x base")
        layers.append({"shape": shape, "cases": rows})
    print(json.dumps({"bench": "peft-layers", "torch": torch.__version__, "peft": peft.__version__,
                      "threads": args.threads, "tokens": args.tokens, "r": args.r, "layers": layers}))


if __name__ == "__main__":
    main()
