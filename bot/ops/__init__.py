"""Operations: health, metrics, logging and its privacy floors."""
