"""A reference external trainer for Civitas: PyTorch on the model worker's contract.

It answers the same JSON-line requests as the bundled Java worker (org.civitas.worker.WorkerMain),
reads the same model manifests, safetensors states and dataset manifests, and writes updates with
the same tensor names, shapes and dtypes, so a site may run either. See README.md beside it.
"""
