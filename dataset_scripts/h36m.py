"""Convert h36m to the AugLift frame table (Parquet + dataset card). Same as `auglift convert h36m ...`.

python dataset_scripts/h36m.py --help
"""

import sys

from auglift_hf.data.cli import main

if __name__ == "__main__":
    sys.exit(main(["h36m", *sys.argv[1:]]))
