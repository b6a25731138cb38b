"""AugLift analyses: cross-dataset matrix, occlusion, pose novelty, robustness to 2D error, ordinal depth."""
