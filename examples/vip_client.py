#!/usr/bin/env python3
"""A trainer's side of `flopwise allocator serve`, with only the standard library.

Each step: ask the service how many rollouts each prompt of the batch gets (POST /allocate), sample
and score them (simulated here), and report the outcomes (POST /observe).

    flopwise allocator serve --state vip-state.json --port 8100 &
    python3 examples/vip_client.py http://127.0.0.1:8100 --steps 3
"""
import argparse
import json
import random
import urllib.error
import urllib.request


def post(url, path, body):
    req = urllib.request.Request(
        url + path, data=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return json.load(res)
    except urllib.error.HTTPError as err:
        detail = json.load(err).get("error", {}).get("message", "")
        raise SystemExit(f"{path}: HTTP {err.code}: {detail}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", help="the allocator service, e.g. http://127.0.0.1:8100")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--budget", type=int, default=32, help="rollouts per step")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    # Eight prompts whose true success rates the trainer does not know.
    prompts = [{"id": f"q{i}", "text": f"What is {i} * {i + 3}?"} for i in range(8)]
    true_rate = {p["id"]: (i + 1) / 10 for i, p in enumerate(prompts)}

    for step in range(args.steps):
        allocation = post(args.url, "/allocate", {"prompts": prompts, "budget": args.budget})["allocation"]
        outcomes = []
        for a in allocation:
            successes = sum(rng.random() < true_rate[a["id"]] for _ in range(a["n"]))
            outcomes.append({"id": a["id"], "successes": successes, "n": a["n"]})
        observed = post(args.url, "/observe", {"outcomes": outcomes})
        print(json.dumps({"step": step, "n": {a["id"]: a["n"] for a in allocation}, "steps": observed["steps"]}))


if __name__ == "__main__":
    main()
