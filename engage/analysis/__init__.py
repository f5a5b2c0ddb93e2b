"""Analysis results in the project: taxonomy, codings, sentiment, topics, review queue."""
