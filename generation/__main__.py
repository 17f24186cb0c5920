"""`python -m generation [MODEL_ID ...]`: join and verify models ahead of time, with a progress bar.
`python -m generation serve [--model ID] [--address A] [--port P]`: llama-server alone (generation/serve.py)."""
import sys

if sys.argv[1:2] == ["serve"]:
    from generation.serve import main as serve

    sys.exit(serve(sys.argv[2:]))

from generation.provision import main  # noqa: E402

sys.exit(main())
