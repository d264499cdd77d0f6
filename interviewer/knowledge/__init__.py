"""Knowledge base: loading guides, splitting, embeddings, the Chroma store and search."""
