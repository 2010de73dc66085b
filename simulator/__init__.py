"""oudergesprek: practise hard conversations with parents."""

__version__ = "0.1.0"
