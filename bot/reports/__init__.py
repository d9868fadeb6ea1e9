"""Files made for people to print or open in a spreadsheet: built from rows, no I/O."""
