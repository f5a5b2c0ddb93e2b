"""Team coding: share a consultation out to colleagues, merge their coding back, resolve
disagreements, and measure how far officers agree."""
