"""One module per screen; modal prompts live in `modals`."""
