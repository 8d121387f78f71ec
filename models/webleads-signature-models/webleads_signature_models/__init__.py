"""The trained models of webleads-signature, as package data.

``MODELS_DIR/<name>/`` holds ``model.joblib`` and its card ``meta.json``; the plugin
finds them through the ``webleads_models`` entry point and checks each artifact's
sha256 against its card before loading it.
"""

from pathlib import Path

#: The folder holding one sub-folder per model (``webleads-segmenter``, ``webleads-tagger``).
MODELS_DIR = Path(__file__).resolve().parent
