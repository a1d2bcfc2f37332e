//! liballot: the C face of the Allot engine (being built).
