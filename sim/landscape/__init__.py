"""Landscape theory (Axelrod and Bennett): the theory, its Mesa model, its file format, partition comparison and structural balance."""
