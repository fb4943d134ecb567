"""Portal accounts beyond logging in: self-registration and its decisions."""
