"""Pure rules of the desk: no Textual, no escpos, no SQL."""
