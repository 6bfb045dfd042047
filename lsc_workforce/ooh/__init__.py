"""Out-of-hours (OOH) rota analysis for the four L&SC trusts, built on the rota engine."""
