"""kieumau: the information system of the model ward/commune police programme."""

__version__ = "0.1.0"
