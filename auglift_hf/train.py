"""``python -m auglift_hf.train <config.yaml> [key=value ...]`` - the training entry point for ``accelerate launch``.

Example: ``accelerate launch --num_processes 2 --cpu -m auglift_hf.train configs/tcn27_xycd.yaml``.
"""

import sys

from auglift_hf.training.cli import main

if __name__ == "__main__":
    sys.exit(main())
