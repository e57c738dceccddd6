#!/usr/bin/env python3
"""Starts the Civitas reference trainer: `python3 trainer.py [--classpath DIR] [--artifacts DIR] [--device cpu|cuda]`."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from civitas_trainer.main import main  # noqa: E402

if __name__ == "__main__":
    main()
