"""The IAM roles the landing-zone pipeline assumes: they live outside the stack (see bootstrap/README.md)."""
