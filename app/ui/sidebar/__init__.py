"""The sidebar's parts: the tree model of folders and conversations, its row painter, the
date groups, and the folder settings dialog."""
