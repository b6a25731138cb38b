"""Convert fit3d to the AugLift frame table (Parquet + dataset card). Same as `auglift convert fit3d ...`.

python dataset_scripts/fit3d.py --help
"""

import sys

from auglift_hf.data.cli import main

if __name__ == "__main__":
    sys.exit(main(["fit3d", *sys.argv[1:]]))
