import sys

from globalcart.cli import main

sys.exit(main())
