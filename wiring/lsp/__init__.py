"""The language server (`wiring lsp`): diagnostics, hover, definitions, references, completion,
renames, the outline and formatting for editors, over the Language Server Protocol. It needs
pygls (`pip install 'wiring-diagrams[lsp]'`), imported only here: nothing else in wiring loads it."""
