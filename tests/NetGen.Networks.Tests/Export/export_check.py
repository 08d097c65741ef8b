#!/usr/bin/python3
"""Runs the PyTorch modules NetGen exported for PyTorchExportTests, all in one process (torch starts once).

    /usr/bin/python3 export_check.py manifest.json

manifest.json: {"cases": [case, ...], "ddp": null or {"command": [...], "cwd": dir, "log": path}}, and a case is
{"name", "dir", "module", "class", "checkpoint", "data", "result", "after_ddp": bool}.

The ddp command (train_ddp.py, which starts its own processes) runs in the background while the other cases run;
the cases marked after_ddp (the trained model) wait for it. For each case: import {dir}/{module}.py, build
{class}(), load the checkpoint (strict: every state_dict key and shape must be in it) and, in eval mode without
gradients, run the data file's x1 [1, ...] and x7 [7, ...]: forward (what NetGen's Forward returns), and
criterion(forward(x7, logits=True), t7) (NetGen's loss); with "gradients": true, the gradient of that loss in
training mode (grad.{parameter}). Writes {result}: y1, y7, loss, grad.* (safetensors, through the module's own
writer) and {result}.json: the state_dict keys and shapes in order, and the messages of the ValueErrors a padded
network raises for a row of padding only and for a row that starts with padding (null where it raises none).
Exit codes: 3 = no PyTorch, 4 = the ddp command failed.
"""

import importlib.util
import json
import os
import subprocess
import sys

try:
    import torch
except ImportError as missing:
    print(f"PyTorch is missing from {sys.executable} ({missing}); on Debian: apt-get install -y python3-torch libopenblas0-openmp",
          file=sys.stderr)
    sys.exit(3)

torch.set_num_threads(1)


def load_module(case, index):
    path = os.path.join(case["dir"], case["module"] + ".py")
    spec = importlib.util.spec_from_file_location(f"{case['module']}_{index}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(case, index):
    module = load_module(case, index)
    model = getattr(module, case["class"])()
    model.load(case["checkpoint"])
    model.eval()
    data = module.load_safetensors(case["data"])

    def inputs(name):
        return data[name].long() if model.token_inputs else data[name].float()

    targets = data["t7"].long() if model.netgen_loss == "CrossEntropy" else data["t7"].float()
    with torch.no_grad():
        y1 = model(inputs("x1"))
        y7 = model(inputs("x7"))
        loss = model.criterion(model(inputs("x7"), logits=True), targets)
    results = {"y1": y1, "y7": y7, "loss": loss}
    if case.get("gradients"):
        results.update(gradients(model, inputs("x7"), targets))
    state_dict = [[k, list(v.shape)] for k, v in model.state_dict().items()]
    module.save_safetensors(results, case["result"])
    with open(case["result"] + ".json", "w") as f:
        json.dump({"state_dict": state_dict, "refused": refusals(model, inputs("x7"))}, f)


def gradients(model, x, targets):
    """One training-mode backward of criterion(forward(x, logits=True)): {"grad.{name}": gradient}."""
    model.train()
    model.zero_grad()
    model.criterion(model(x, logits=True), targets).backward()
    model.eval()
    return {"grad." + name: p.grad for name, p in model.named_parameters()}


def refusals(model, x):
    """The messages of the inputs NetGen refuses too: a row of padding only, and (causal) a row that starts with padding."""
    if model.padding_index is None:
        return []
    cases = [x.clone(), x.clone()]
    cases[0][0, :] = model.padding_index
    cases[1][0, 0] = model.padding_index
    messages = []
    for bad in cases:
        try:
            model(bad)
            messages.append(None)
        except ValueError as e:
            messages.append(str(e))
    return messages


def main():
    with open(sys.argv[1]) as f:
        manifest = json.load(f)
    ddp, training = manifest.get("ddp"), None
    if ddp:
        training = subprocess.Popen(ddp["command"], cwd=ddp["cwd"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    cases = manifest["cases"]
    for index, case in enumerate(cases):
        if not case.get("after_ddp"):
            run(case, index)
    if training:
        output, _ = training.communicate()
        with open(ddp["log"], "wb") as f:
            f.write(output)
        if training.returncode != 0:
            sys.stderr.write(output.decode("utf-8", "replace"))
            print(f"train_ddp.py failed with exit code {training.returncode}", file=sys.stderr)
            sys.exit(4)
    for index, case in enumerate(cases):
        if case.get("after_ddp"):
            run(case, index)


if __name__ == "__main__":
    main()
