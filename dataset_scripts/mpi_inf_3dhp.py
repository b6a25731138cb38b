"""Convert mpi_inf_3dhp to the AugLift frame table (Parquet + dataset card). Same as `auglift convert 3dhp ...`.

python dataset_scripts/mpi_inf_3dhp.py --help
"""

import sys

from auglift_hf.data.cli import main

if __name__ == "__main__":
    sys.exit(main(["3dhp", *sys.argv[1:]]))
