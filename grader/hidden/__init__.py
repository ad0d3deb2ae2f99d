"""Hidden tests, one module per lesson, called from the hidden regions of solution test cells."""
