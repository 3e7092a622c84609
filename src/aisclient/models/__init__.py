"""Typed values of the AIS API (attrs, frozen) and their decoding from wire JSON."""
