"""Convert pw3d to the AugLift frame table (Parquet + dataset card). Same as `auglift convert 3dpw ...`.

python dataset_scripts/pw3d.py --help
"""

import sys

from auglift_hf.data.cli import main

if __name__ == "__main__":
    sys.exit(main(["3dpw", *sys.argv[1:]]))
