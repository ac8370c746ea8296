"""The transformation passes, one per module, in pipeline order (see srcgrad/pipeline.py)."""
