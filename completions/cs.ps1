# PowerShell completion for cs (and claude-sessions).
# Generated from the command table (src/commands/table.ts) by src/completions/shells.ts;
# do not edit: run `node --import tsx src/completions/write.ts` (or `cs -completions <shell>`).
# Load it from your $PROFILE: . ~/.config/powershell/completions/cs.ps1

function __cs_data([string]$Key) {
    switch -CaseSensitive ($Key) {
        'top' {
            '-adopt:Turn the current directory into a session in place'
            '-list:List sessions'
            '-ls:List sessions'
            '-archive:Archive sessions: hidden from -ls, the picker, -search and -serve unless asked for (--archived, --all)'
            '-unarchive:Bring archived sessions back into the listings (opening one does it too)'
            '-mv:Rename a session: workspace, secrets, conversations, tags and settings move together'
            '-rename:Rename a session: workspace, secrets, conversations, tags and settings move together'
            '-statusline:Show session, state, context %, 5-hour and weekly limits and git in Claude Code''s status line'
            '-usage:Tokens spent per session (input, output, cache write, cache read) over the last 5 hours and 7 days'
            '-remove:Remove a session (an adopted one is only unlinked)'
            '-rm:Remove a session (an adopted one is only unlinked)'
            '-help:Show help, for everything or for one command'
            '-h:Show help, for everything or for one command'
            '-sync:Sync the session with a git remote across machines'
            '-s:Sync the session with a git remote across machines'
            '-secrets:Manage the secrets of a session (keychain or encrypted file; age sync)'
            '-spawn:Start a session in cs''s tmux server without attaching a terminal'
            '-live:List running sessions: state, since when, attached terminals, conversation'
            '-watch:Follow the status of all sessions (working, needs you, idle, closed) as it changes'
            '-doctor:Check Claude Code, hooks, keychain, age identity and, for a session, its remote and transcripts'
            '-serve:Serve the web page and JSON API of all sessions: live timelines and conversations, prompts to hosted sessions (sign-in required)'
            '-notify:Send a notification (ntfy-compatible POST) when a session needs you, finishes a turn or dies with no terminal attached'
            '-search:Search discoveries, changes, artifacts and Claude transcripts of all sessions'
            '-remote:Register the hosts sessions can run on (cs <name> --on <alias>)'
            '-update:Update cs to the latest release, verified by SHA-256 and minisign'
            '-install:Register cs with Claude Code: hooks, slash commands, skill, completions'
            '-uninstall:Remove cs: links, hooks, commands; keeps sessions and secrets unless --purge'
            '-completions:Print the shell completion script for bash, zsh, fish or PowerShell'
            '-version:Show the version'
            '-v:Show the version'
        }
        'after-session' {
            '-tag:List, add or remove a session''s tags (synced; cs -ls --tag, #tag in the picker)'
            '-queue:Line up tasks for Claude: while armed, each time Claude stops it gets the next one'
            '-usage:Tokens spent per session (input, output, cache write, cache read) over the last 5 hours and 7 days'
            '-sync:Sync the session with a git remote across machines'
            '-s:Sync the session with a git remote across machines'
            '-secrets:Manage the secrets of a session (keychain or encrypted file; age sync)'
            '-conversations:List the Claude Code conversations pinned to a session (synced, encrypted, across machines)'
            '-stop:End a running session like /exit (a signal after the timeout), then commit and export as usual'
            '-features:List the feature sessions of a session: branch, commits ahead/behind, dirty, running, merged'
            '-diff:Show what a session changed: a feature since it branched, any session since it started'
            '-doctor:Check Claude Code, hooks, keychain, age identity and, for a session, its remote and transcripts'
            '-log:Show the session''s timeline: starts, tool calls, artifacts, discoveries, autosaves, syncs'
            '-search:Search discoveries, changes, artifacts and Claude transcripts of all sessions'
            '-help:Show help, for everything or for one command'
            '-h:Show help, for everything or for one command'
            '--force:take over the session lock from another running cs'
            '--new:start a new conversation instead of resuming the latest one'
            '--resume:resume this pinned conversation (its number or uuid in cs <name> -conversations)'
            '--from-handoff:start a new conversation from the session''s latest unused handoff (.cs/handoffs/)'
            '--no-handoff:with --new: do not offer the latest handoff'
            '--on:run the session on a host, hosted by cs there (remembered: later just cs <name>)'
            '--move-to:copy the session to a host (verified), leave a stub here that connects to it'
            '--foreground:run Claude in this terminal instead of cs''s tmux server (ends with the terminal)'
            '--from-head:a new feature starts from the last commit even though the base has uncommitted changes'
            '--allow-setup:a new feature runs the base''s .cs/worktree-setup though this machine has not run its text yet (it came with a sync)'
            '--merge:merge this feature of the session (--no-ff), fold its records in, remove its worktree and branch'
            '--keep:with --merge: keep the worktree and branch'
            '--:pass the rest to Claude Code'
        }
        'kind:shell' {
            'bash:Bash (bash-completion)'
            'zsh:Zsh (compsys)'
            'fish:fish'
            'powershell:PowerShell 7'
        }
        'kind:command' {
            '-adopt:Turn the current directory into a session in place'
            '-list:List sessions'
            '-ls:List sessions'
            '-archive:Archive sessions: hidden from -ls, the picker, -search and -serve unless asked for (--archived, --all)'
            '-unarchive:Bring archived sessions back into the listings (opening one does it too)'
            '-mv:Rename a session: workspace, secrets, conversations, tags and settings move together'
            '-rename:Rename a session: workspace, secrets, conversations, tags and settings move together'
            '-statusline:Show session, state, context %, 5-hour and weekly limits and git in Claude Code''s status line'
            '-usage:Tokens spent per session (input, output, cache write, cache read) over the last 5 hours and 7 days'
            '-remove:Remove a session (an adopted one is only unlinked)'
            '-rm:Remove a session (an adopted one is only unlinked)'
            '-help:Show help, for everything or for one command'
            '-h:Show help, for everything or for one command'
            '-sync:Sync the session with a git remote across machines'
            '-s:Sync the session with a git remote across machines'
            '-secrets:Manage the secrets of a session (keychain or encrypted file; age sync)'
            '-spawn:Start a session in cs''s tmux server without attaching a terminal'
            '-live:List running sessions: state, since when, attached terminals, conversation'
            '-watch:Follow the status of all sessions (working, needs you, idle, closed) as it changes'
            '-doctor:Check Claude Code, hooks, keychain, age identity and, for a session, its remote and transcripts'
            '-serve:Serve the web page and JSON API of all sessions: live timelines and conversations, prompts to hosted sessions (sign-in required)'
            '-notify:Send a notification (ntfy-compatible POST) when a session needs you, finishes a turn or dies with no terminal attached'
            '-search:Search discoveries, changes, artifacts and Claude transcripts of all sessions'
            '-remote:Register the hosts sessions can run on (cs <name> --on <alias>)'
            '-update:Update cs to the latest release, verified by SHA-256 and minisign'
            '-install:Register cs with Claude Code: hooks, slash commands, skill, completions'
            '-uninstall:Remove cs: links, hooks, commands; keeps sessions and secrets unless --purge'
            '-completions:Print the shell completion script for bash, zsh, fish or PowerShell'
            '-version:Show the version'
            '-v:Show the version'
        }
        'flags:open' {
            '--force:take over the session lock from another running cs'
            '--new:start a new conversation instead of resuming the latest one'
            '--resume:resume this pinned conversation (its number or uuid in cs <name> -conversations)'
            '--from-handoff:start a new conversation from the session''s latest unused handoff (.cs/handoffs/)'
            '--no-handoff:with --new: do not offer the latest handoff'
            '--on:run the session on a host, hosted by cs there (remembered: later just cs <name>)'
            '--move-to:copy the session to a host (verified), leave a stub here that connects to it'
            '--foreground:run Claude in this terminal instead of cs''s tmux server (ends with the terminal)'
            '--from-head:a new feature starts from the last commit even though the base has uncommitted changes'
            '--allow-setup:a new feature runs the base''s .cs/worktree-setup though this machine has not run its text yet (it came with a sync)'
            '--merge:merge this feature of the session (--no-ff), fold its records in, remove its worktree and branch'
            '--keep:with --merge: keep the worktree and branch'
        }
        'flags:adopt' {
            '--from:a second checkout: take the session''s records from this remote (pushed there by cs <name> -sync push)'
        }
        'flags:list' {
            '--json:print JSON for scripts'
            '--scrub:show each objective with the session''s stored secret values as [secret: KEY] (a keychain look-up per session; cs -serve asks other hosts for this)'
            '--remote:also ask every registered host for its sessions (in parallel; unreachable hosts are reported)'
            '--tag:only sessions with this tag'
            '--archived:only archived sessions'
            '--all:archived sessions too'
        }
        'flags:tag' {
            '--json:print the tags as a JSON array'
        }
        'args:tag' {
            'add:add tags'
            'rm:remove tags'
        }
        'flags:queue' {
            '--json:print the queue (or the journal) as JSON'
        }
        'args:queue' {
            'list:the tasks and their state (the default)'
            'add:queue a task (- reads it from stdin)'
            'rm:remove a task by its number'
            'clear:remove every task that is not running'
            'log:what the queue did: .cs/queue/journal.jsonl'
            'start:arm: at each Stop Claude gets the next pending task'
            'stop:disarm after the running task'
        }
        'flags:mv' {
            '--json:print what moved as JSON'
        }
        'flags:statusline' {
            '--replace:replace a status line of your own (disable puts it back)'
        }
        'args:statusline' {
            'enable:register cs''s status line in Claude Code''s settings.json'
            'disable:remove it, and put back the one it replaced'
        }
        'flags:usage' {
            '--since:one window from then to now instead of 5 hours and 7 days'
            '--json:print JSON for scripts'
        }
        'flags:remove' {
            '--yes:do not ask for confirmation'
            '--force:a feature: drop its unmerged commits and uncommitted changes too (asks on a terminal)'
        }
        'flags:sync' {
            '--create:with push: make a missing local bare repository first, without asking'
            '--force:with pull: pull even while the session is open (its files change under Claude)'
            '--json:with status: print JSON for scripts'
            '--no-fetch:with status: do not ask the remote (offline)'
        }
        'args:sync' {
            'remote:set the sync remote (default: $CS_SYNC_PREFIX<name>.git)'
            'push:commit what changed and push it (--create: make a missing local bare repository first)'
            'pull:fetch and rebase onto the remote (logs merge line by line); refused while the session is open'
            'status:ahead/behind/dirty, remote, auto-sync (--no-fetch: offline)'
            'auto:pull at session start, push at session end (on|off)'
            'snapshot:autosave the workspace to refs/cs/auto now'
            'clone:make a session from a remote on this machine'
        }
        'flags:sync_session' {
            '--create:with push: make a missing local bare repository first, without asking'
            '--force:with pull: pull even while the session is open (its files change under Claude)'
            '--json:with status: print JSON for scripts'
            '--no-fetch:with status: do not ask the remote (offline)'
        }
        'args:sync_session' {
            'remote:set the sync remote (default: $CS_SYNC_PREFIX<name>.git)'
            'push:commit what changed and push it (--create: make a missing local bare repository first)'
            'pull:fetch and rebase onto the remote (logs merge line by line); refused while the session is open'
            'status:ahead/behind/dirty, remote, auto-sync (--no-fetch: offline)'
            'auto:pull at session start, push at session end (on|off)'
            'snapshot:autosave the workspace to refs/cs/auto now'
        }
        'flags:secrets' {
            '--force:with set: replace a different value; with export-file: write even so'
            '--json:with list: print JSON for scripts'
            '--here:with rm: from this machine''s store only'
            '--yes:with purge: do not ask for confirmation'
        }
        'args:secrets' {
            'set:store a secret (no VALUE: hidden prompt, or stdin); --force replaces a different value'
            'get:print a secret''s value'
            'list:list secret names and the captured files that use each'
            'rm:remove a secret, from .cs/secrets.age too (the other machines remove it at their next sync)'
            'purge:remove every secret of the session'
            'export:print export KEY=''value'' lines for eval'
            'render:print a captured file with its secrets'' values filled in'
            'exec:run a command with the secrets in its environment'
            'export-file:encrypt the secrets to .cs/secrets.age for every recipient'
            'import-file:decrypt .cs/secrets.age with this machine''s key and store it'
            'backend:show where the secrets are kept, and why'
            'migrate-backend:move every secret of the session to the other backend'
            'age:this machine''s age identity and the session''s recipients'
        }
        'args:secrets:age' {
            'init:make this machine''s age identity and add it to the session'
            'pubkey:print this machine''s age public key'
            'list:the session''s recipients'
            'add:add a recipient'
            'remove:remove a recipient'
        }
        'flags:conversations' {
            '--json:print JSON for scripts'
        }
        'flags:spawn' {
            '--prompt:Claude''s first prompt'
            '--task:queue this task and arm the queue (cs <name> -queue); without --prompt Claude starts on it'
            '--new:start a new conversation instead of resuming the latest one'
            '--resume:resume this pinned conversation'
            '--force:take over the session lock from another running cs'
        }
        'flags:live' {
            '--json:print JSON for scripts'
        }
        'flags:stop' {
            '--timeout:seconds Claude gets after /exit, and again after SIGTERM (default 10)'
        }
        'flags:features' {
            '--json:print JSON for scripts'
        }
        'flags:diff' {
            '--stat:only the files and line counts'
        }
        'flags:watch' {
            '--notify:ring the bell and call notify-send (when installed) when a session starts needing you'
            '--json:one JSON object a line'
            '--interval:milliseconds between polls (default 500)'
        }
        'flags:doctor' {
            '--json:print JSON for scripts'
        }
        'flags:log' {
            '-n:only the newest N events'
            '--follow:keep printing new events as they happen (Ctrl-C ends)'
            '--json:print JSON (one object a line with --follow)'
        }
        'flags:serve' {
            '--port:port to listen on (default 7420; 0 picks a free one)'
            '--bind:address to listen on (default 127.0.0.1; others need a configured token and TLS)'
            '--token-file:read the access token from FILE (else $CS_SERVE_TOKEN, else a random one)'
            '--tls-cert:PEM certificate: serve HTTPS (with --tls-key)'
            '--tls-key:PEM private key of --tls-cert'
            '--devices:list the signed-in devices (each lasts 30 days)'
            '--revoke:sign out the device with this id'
            '--link:print a new one-time sign-in link for the cs -serve running here (each works once, for 15 minutes)'
            '--json:with --devices or --link: print JSON'
        }
        'flags:notify' {
            '--token-secret:name of the variable (or session secret) holding the bearer token for the URL'
            '--json:with show: print JSON'
        }
        'args:notify' {
            'set:send notifications to this URL'
            'test:send a test notification now'
            'off:send none'
            'show:where notifications go'
        }
        'flags:search' {
            '--archived:search only archived sessions'
            '--all:search archived sessions too'
            '--session:search only this session'
            '--limit:show at most N results (default 20)'
            '--json:print JSON for scripts'
        }
        'flags:remote' {
            '--json:print JSON for scripts (list)'
            '--mkroot:make the sessions root when missing'
        }
        'args:remote' {
            'add:register a host under a short name'
            'list:registered hosts'
            'remove:forget a host (its sessions stay there)'
        }
        'flags:update' {
            '--check:only report whether a newer version exists'
            '--rollback:switch back to the previously installed version'
            '--json:print the result as JSON'
        }
        'flags:uninstall' {
            '--purge:also delete all sessions and secrets (asks first)'
            '--yes:do not ask for confirmation'
        }
    }
}
function __cs_id([string]$Word) {
    switch -CaseSensitive ($Word) {
        '-adopt' { 'adopt' }
        '-list' { 'list' }
        '-ls' { 'list' }
        '-tag' { 'tag' }
        '-queue' { 'queue' }
        '-archive' { 'archive' }
        '-unarchive' { 'unarchive' }
        '-mv' { 'mv' }
        '-rename' { 'mv' }
        '-statusline' { 'statusline' }
        '-usage' { 'usage' }
        '-remove' { 'remove' }
        '-rm' { 'remove' }
        '-help' { 'help' }
        '-h' { 'help' }
        '--help' { 'help' }
        '-sync' { 'sync' }
        '-s' { 'sync' }
        '-secrets' { 'secrets' }
        '-conversations' { 'conversations' }
        '-spawn' { 'spawn' }
        '-live' { 'live' }
        '-stop' { 'stop' }
        '-features' { 'features' }
        '-diff' { 'diff' }
        '-watch' { 'watch' }
        '-doctor' { 'doctor' }
        '-log' { 'log' }
        '-serve' { 'serve' }
        '-notify' { 'notify' }
        '-search' { 'search' }
        '-remote' { 'remote' }
        '-update' { 'update' }
        '-install' { 'install' }
        '-uninstall' { 'uninstall' }
        '-completions' { 'completions' }
        '-version' { 'version' }
        '-v' { 'version' }
        '--version' { 'version' }
        default { '' }
    }
}
function __cs_session_id([string]$Word) {
    switch -CaseSensitive ($Word) {
        '-tag' { 'tag' }
        '-queue' { 'queue' }
        '-usage' { 'usage' }
        '-sync' { 'sync_session' }
        '-s' { 'sync_session' }
        '-secrets' { 'secrets' }
        '-conversations' { 'conversations' }
        '-stop' { 'stop' }
        '-features' { 'features' }
        '-diff' { 'diff' }
        '-doctor' { 'doctor' }
        '-log' { 'log' }
        '-search' { 'search' }
        default { '' }
    }
}
function __cs_operand([string]$Id) {
    switch -CaseSensitive ($Id) {
        'archive' { 'session' }
        'unarchive' { 'session' }
        'mv' { 'session' }
        'usage' { 'session' }
        'remove' { 'session' }
        'help' { 'command' }
        'spawn' { 'session' }
        'completions' { 'shell' }
        default { '' }
    }
}
function __cs_value_kind([string]$Flag) {
    switch -CaseSensitive ($Flag) {
        '--on' { 'host' }
        '--move-to' { 'host' }
        '--session' { 'session' }
        default { '' }
    }
}
function __cs_kind([string]$Kind, [string]$Exe) {
    switch ($Kind) {
        'session' {
            $root = if ($env:CS_SESSIONS_ROOT) { $env:CS_SESSIONS_ROOT } else { Join-Path $HOME '.claude-sessions' }
            Get-ChildItem -LiteralPath $root -Directory -ErrorAction SilentlyContinue |
                Where-Object { Test-Path -LiteralPath (Join-Path $_.FullName '.cs') -PathType Container } |
                ForEach-Object { "$($_.Name):session" }
        }
        'host' { & $Exe -completions --list hosts 2>$null }
        default { __cs_data "kind:$Kind" }
    }
}

Register-ArgumentCompleter -Native -CommandName 'cs', 'claude-sessions' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    # Words before the one under the cursor; $w[0] is the command itself.
    $w = @($commandAst.CommandElements | Where-Object { $_.Extent.EndOffset -lt $cursorPosition } | ForEach-Object { $_.Extent.Text })
    $n = $w.Count
    if ($n -gt 1 -and ($w[1..($n - 1)] -ccontains '--')) { return }
    $keys = @(); $kind = ''; $id = ''; $argi = 0
    if ($n -gt 1) { $kind = __cs_value_kind $w[$n - 1] }
    if (-not $kind) {
        if ($n -eq 1) { $kind = 'session'; $keys += 'top' }
        elseif ($w[1].StartsWith('-')) { $id = __cs_id $w[1]; $argi = 2 }
        elseif ($n -eq 2) { $keys += 'after-session' }
        else {
            $id = __cs_session_id $w[2]; $argi = 3
            if (-not $id) { $id = 'open'; $argi = 2 }
        }
        if ($id) {
            if ($wordToComplete.StartsWith('-')) { $keys += "flags:$id" }
            if ($n -eq $argi) { $keys += "args:$id"; $kind = __cs_operand $id }
            if ($argi -and $n -eq $argi + 1 -and $w[$argi] -cmatch '^[a-z][a-z-]*$') { $keys += "args:${id}:$($w[$argi])" }
        }
    }
    $lines = @()
    foreach ($k in $keys) { $lines += @(__cs_data $k) }
    if ($kind) { $lines += @(__cs_kind $kind $w[0]) }
    foreach ($l in $lines) {
        if (-not $l) { continue }
        $word, $help = $l -split ':', 2
        if ($word.StartsWith($wordToComplete, [System.StringComparison]::Ordinal)) {
            [System.Management.Automation.CompletionResult]::new($word, $word, 'ParameterValue', $(if ($help) { $help } else { $word }))
        }
    }
}
