"""Fraud risk: document red flags, claim features, a calibrated model per line, and scores with reasons.

Modules, one job each:

- ``config``: thresholds and weights from ``config/fraud.yaml``
- ``image_hash``: perceptual hashes that survive re-compression and small crops
- ``red_flags``: named signals with evidence, found in a claim's dossier
- ``features``: one feature builder for training (vehicle table, synthetic history) and scoring
- ``synthetic_history``: generated health and property claim histories (synthetic fraud patterns)
- ``training``: the scikit-learn pipeline, its evaluation (CV and time split) and model cards' figures
- ``explain``: each feature's contribution to one score (exact TreeSHAP, or logistic terms)
- ``scoring``: a claim's probability, 0-100 score and top reasons
- ``history``: training tables from the public vehicle table and the claims database
- ``cli``: ``claims fraud score|train|models``
"""
