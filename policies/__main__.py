"""Entry point the Pulumi engine runs: assembles the PolicyPack from the rule modules (and serves it)."""

from lz_policies import build_pack

build_pack()
