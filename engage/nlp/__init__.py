"""Text processing, models and classification (spaCy + scikit-learn), all offline."""

from engage.offline import quiet_network_imports

quiet_network_imports()  # before spaCy is imported by any module of this package
