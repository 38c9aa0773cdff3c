#compdef fpcli

_fpcli_completion() {
  eval $(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" _FPCLI_COMPLETE=complete_zsh fpcli)
}

compdef _fpcli_completion fpcli
