"""Every figure of the project: run figures and sweep figures, drawn with one palette and one level scale."""
