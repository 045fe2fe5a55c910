"""The .xlsx package edited in place, keeping every untouched byte. Knows no schema and no pandas."""
