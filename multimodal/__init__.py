"""CLIP-style text-image alignment for the Images & text page: the two locked towers (towers.py), the
projections trained with CLIP's loss (lit.py), a real CLIP read from disk (clip_local.py), the
image-caption pairs they learn from (image_pairs.py), and their features prepared once per process (lesson.py).

Its own layer above `generation` (the towers are provisioned like models and run on its HF backend) and
beside the tool loop; nothing below imports it."""
