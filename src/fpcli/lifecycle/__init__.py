"""Flux 6: French invoice lifecycle messages (CDAR, CrossDomainAcknowledgementAndResponse D22B)."""
