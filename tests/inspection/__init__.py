"""``lindi ls``/``info``/``diff``/``cat``: on the fidelity corpus, remotely through the range server, on hostile documents."""
