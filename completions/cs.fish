# fish completion for cs (and claude-sessions).
# Generated from the command table (src/commands/table.ts) by src/completions/shells.ts;
# do not edit: run `node --import tsx src/completions/write.ts` (or `cs -completions <shell>`).
# Put it in ~/.config/fish/completions/cs.fish, or load it with: cs -completions fish | source

function __cs_data
    switch $argv[1]
        case 'top'
            printf '%s\n' \
                '-adopt:Turn the current directory into a session in place' \
                '-list:List sessions' \
                '-ls:List sessions' \
                '-archive:Archive sessions: hidden from -ls, the picker, -search and -serve unless asked for (--archived, --all)' \
                '-unarchive:Bring archived sessions back into the listings (opening one does it too)' \
                '-mv:Rename a session: workspace, secrets, conversations, tags and settings move together' \
                '-rename:Rename a session: workspace, secrets, conversations, tags and settings move together' \
                '-statusline:Show session, state, context %, 5-hour and weekly limits and git in Claude Code\'s status line' \
                '-usage:Tokens spent per session (input, output, cache write, cache read) over the last 5 hours and 7 days' \
                '-remove:Remove a session (an adopted one is only unlinked)' \
                '-rm:Remove a session (an adopted one is only unlinked)' \
                '-help:Show help, for everything or for one command' \
                '-h:Show help, for everything or for one command' \
                '-sync:Sync the session with a git remote across machines' \
                '-s:Sync the session with a git remote across machines' \
                '-secrets:Manage the secrets of a session (keychain or encrypted file; age sync)' \
                '-spawn:Start a session in cs\'s tmux server without attaching a terminal' \
                '-live:List running sessions: state, since when, attached terminals, conversation' \
                '-watch:Follow the status of all sessions (working, needs you, idle, closed) as it changes' \
                '-doctor:Check Claude Code, hooks, keychain, age identity and, for a session, its remote and transcripts' \
                '-serve:Serve the web page and JSON API of all sessions: live timelines and conversations, prompts to hosted sessions (sign-in required)' \
                '-notify:Send a notification (ntfy-compatible POST) when a session needs you, finishes a turn or dies with no terminal attached' \
                '-search:Search discoveries, changes, artifacts and Claude transcripts of all sessions' \
                '-remote:Register the hosts sessions can run on (cs <name> --on <alias>)' \
                '-update:Update cs to the latest release, verified by SHA-256 and minisign' \
                '-install:Register cs with Claude Code: hooks, slash commands, skill, completions' \
                '-uninstall:Remove cs: links, hooks, commands; keeps sessions and secrets unless --purge' \
                '-completions:Print the shell completion script for bash, zsh, fish or PowerShell' \
                '-version:Show the version' \
                '-v:Show the version'
        case 'after-session'
            printf '%s\n' \
                '-tag:List, add or remove a session\'s tags (synced; cs -ls --tag, #tag in the picker)' \
                '-queue:Line up tasks for Claude: while armed, each time Claude stops it gets the next one' \
                '-usage:Tokens spent per session (input, output, cache write, cache read) over the last 5 hours and 7 days' \
                '-sync:Sync the session with a git remote across machines' \
                '-s:Sync the session with a git remote across machines' \
                '-secrets:Manage the secrets of a session (keychain or encrypted file; age sync)' \
                '-conversations:List the Claude Code conversations pinned to a session (synced, encrypted, across machines)' \
                '-stop:End a running session like /exit (a signal after the timeout), then commit and export as usual' \
                '-features:List the feature sessions of a session: branch, commits ahead/behind, dirty, running, merged' \
                '-diff:Show what a session changed: a feature since it branched, any session since it started' \
                '-doctor:Check Claude Code, hooks, keychain, age identity and, for a session, its remote and transcripts' \
                '-log:Show the session\'s timeline: starts, tool calls, artifacts, discoveries, autosaves, syncs' \
                '-search:Search discoveries, changes, artifacts and Claude transcripts of all sessions' \
                '-help:Show help, for everything or for one command' \
                '-h:Show help, for everything or for one command' \
                '--force:take over the session lock from another running cs' \
                '--new:start a new conversation instead of resuming the latest one' \
                '--resume:resume this pinned conversation (its number or uuid in cs <name> -conversations)' \
                '--from-handoff:start a new conversation from the session\'s latest unused handoff (.cs/handoffs/)' \
                '--no-handoff:with --new: do not offer the latest handoff' \
                '--on:run the session on a host, hosted by cs there (remembered: later just cs <name>)' \
                '--move-to:copy the session to a host (verified), leave a stub here that connects to it' \
                '--foreground:run Claude in this terminal instead of cs\'s tmux server (ends with the terminal)' \
                '--from-head:a new feature starts from the last commit even though the base has uncommitted changes' \
                '--allow-setup:a new feature runs the base\'s .cs/worktree-setup though this machine has not run its text yet (it came with a sync)' \
                '--merge:merge this feature of the session (--no-ff), fold its records in, remove its worktree and branch' \
                '--keep:with --merge: keep the worktree and branch' \
                '--:pass the rest to Claude Code'
        case 'kind:shell'
            printf '%s\n' \
                'bash:Bash (bash-completion)' \
                'zsh:Zsh (compsys)' \
                'fish:fish' \
                'powershell:PowerShell 7'
        case 'kind:command'
            printf '%s\n' \
                '-adopt:Turn the current directory into a session in place' \
                '-list:List sessions' \
                '-ls:List sessions' \
                '-archive:Archive sessions: hidden from -ls, the picker, -search and -serve unless asked for (--archived, --all)' \
                '-unarchive:Bring archived sessions back into the listings (opening one does it too)' \
                '-mv:Rename a session: workspace, secrets, conversations, tags and settings move together' \
                '-rename:Rename a session: workspace, secrets, conversations, tags and settings move together' \
                '-statusline:Show session, state, context %, 5-hour and weekly limits and git in Claude Code\'s status line' \
                '-usage:Tokens spent per session (input, output, cache write, cache read) over the last 5 hours and 7 days' \
                '-remove:Remove a session (an adopted one is only unlinked)' \
                '-rm:Remove a session (an adopted one is only unlinked)' \
                '-help:Show help, for everything or for one command' \
                '-h:Show help, for everything or for one command' \
                '-sync:Sync the session with a git remote across machines' \
                '-s:Sync the session with a git remote across machines' \
                '-secrets:Manage the secrets of a session (keychain or encrypted file; age sync)' \
                '-spawn:Start a session in cs\'s tmux server without attaching a terminal' \
                '-live:List running sessions: state, since when, attached terminals, conversation' \
                '-watch:Follow the status of all sessions (working, needs you, idle, closed) as it changes' \
                '-doctor:Check Claude Code, hooks, keychain, age identity and, for a session, its remote and transcripts' \
                '-serve:Serve the web page and JSON API of all sessions: live timelines and conversations, prompts to hosted sessions (sign-in required)' \
                '-notify:Send a notification (ntfy-compatible POST) when a session needs you, finishes a turn or dies with no terminal attached' \
                '-search:Search discoveries, changes, artifacts and Claude transcripts of all sessions' \
                '-remote:Register the hosts sessions can run on (cs <name> --on <alias>)' \
                '-update:Update cs to the latest release, verified by SHA-256 and minisign' \
                '-install:Register cs with Claude Code: hooks, slash commands, skill, completions' \
                '-uninstall:Remove cs: links, hooks, commands; keeps sessions and secrets unless --purge' \
                '-completions:Print the shell completion script for bash, zsh, fish or PowerShell' \
                '-version:Show the version' \
                '-v:Show the version'
        case 'flags:open'
            printf '%s\n' \
                '--force:take over the session lock from another running cs' \
                '--new:start a new conversation instead of resuming the latest one' \
                '--resume:resume this pinned conversation (its number or uuid in cs <name> -conversations)' \
                '--from-handoff:start a new conversation from the session\'s latest unused handoff (.cs/handoffs/)' \
                '--no-handoff:with --new: do not offer the latest handoff' \
                '--on:run the session on a host, hosted by cs there (remembered: later just cs <name>)' \
                '--move-to:copy the session to a host (verified), leave a stub here that connects to it' \
                '--foreground:run Claude in this terminal instead of cs\'s tmux server (ends with the terminal)' \
                '--from-head:a new feature starts from the last commit even though the base has uncommitted changes' \
                '--allow-setup:a new feature runs the base\'s .cs/worktree-setup though this machine has not run its text yet (it came with a sync)' \
                '--merge:merge this feature of the session (--no-ff), fold its records in, remove its worktree and branch' \
                '--keep:with --merge: keep the worktree and branch'
        case 'flags:adopt'
            printf '%s\n' \
                '--from:a second checkout: take the session\'s records from this remote (pushed there by cs <name> -sync push)'
        case 'flags:list'
            printf '%s\n' \
                '--json:print JSON for scripts' \
                '--scrub:show each objective with the session\'s stored secret values as [secret: KEY] (a keychain look-up per session; cs -serve asks other hosts for this)' \
                '--remote:also ask every registered host for its sessions (in parallel; unreachable hosts are reported)' \
                '--tag:only sessions with this tag' \
                '--archived:only archived sessions' \
                '--all:archived sessions too'
        case 'flags:tag'
            printf '%s\n' \
                '--json:print the tags as a JSON array'
        case 'args:tag'
            printf '%s\n' \
                'add:add tags' \
                'rm:remove tags'
        case 'flags:queue'
            printf '%s\n' \
                '--json:print the queue (or the journal) as JSON'
        case 'args:queue'
            printf '%s\n' \
                'list:the tasks and their state (the default)' \
                'add:queue a task (- reads it from stdin)' \
                'rm:remove a task by its number' \
                'clear:remove every task that is not running' \
                'log:what the queue did: .cs/queue/journal.jsonl' \
                'start:arm: at each Stop Claude gets the next pending task' \
                'stop:disarm after the running task'
        case 'flags:mv'
            printf '%s\n' \
                '--json:print what moved as JSON'
        case 'flags:statusline'
            printf '%s\n' \
                '--replace:replace a status line of your own (disable puts it back)'
        case 'args:statusline'
            printf '%s\n' \
                'enable:register cs\'s status line in Claude Code\'s settings.json' \
                'disable:remove it, and put back the one it replaced'
        case 'flags:usage'
            printf '%s\n' \
                '--since:one window from then to now instead of 5 hours and 7 days' \
                '--json:print JSON for scripts'
        case 'flags:remove'
            printf '%s\n' \
                '--yes:do not ask for confirmation' \
                '--force:a feature: drop its unmerged commits and uncommitted changes too (asks on a terminal)'
        case 'flags:sync'
            printf '%s\n' \
                '--create:with push: make a missing local bare repository first, without asking' \
                '--force:with pull: pull even while the session is open (its files change under Claude)' \
                '--json:with status: print JSON for scripts' \
                '--no-fetch:with status: do not ask the remote (offline)'
        case 'args:sync'
            printf '%s\n' \
                'remote:set the sync remote (default: $CS_SYNC_PREFIX<name>.git)' \
                'push:commit what changed and push it (--create: make a missing local bare repository first)' \
                'pull:fetch and rebase onto the remote (logs merge line by line); refused while the session is open' \
                'status:ahead/behind/dirty, remote, auto-sync (--no-fetch: offline)' \
                'auto:pull at session start, push at session end (on|off)' \
                'snapshot:autosave the workspace to refs/cs/auto now' \
                'clone:make a session from a remote on this machine'
        case 'flags:sync_session'
            printf '%s\n' \
                '--create:with push: make a missing local bare repository first, without asking' \
                '--force:with pull: pull even while the session is open (its files change under Claude)' \
                '--json:with status: print JSON for scripts' \
                '--no-fetch:with status: do not ask the remote (offline)'
        case 'args:sync_session'
            printf '%s\n' \
                'remote:set the sync remote (default: $CS_SYNC_PREFIX<name>.git)' \
                'push:commit what changed and push it (--create: make a missing local bare repository first)' \
                'pull:fetch and rebase onto the remote (logs merge line by line); refused while the session is open' \
                'status:ahead/behind/dirty, remote, auto-sync (--no-fetch: offline)' \
                'auto:pull at session start, push at session end (on|off)' \
                'snapshot:autosave the workspace to refs/cs/auto now'
        case 'flags:secrets'
            printf '%s\n' \
                '--force:with set: replace a different value; with export-file: write even so' \
                '--json:with list: print JSON for scripts' \
                '--here:with rm: from this machine\'s store only' \
                '--yes:with purge: do not ask for confirmation'
        case 'args:secrets'
            printf '%s\n' \
                'set:store a secret (no VALUE: hidden prompt, or stdin); --force replaces a different value' \
                'get:print a secret\'s value' \
                'list:list secret names and the captured files that use each' \
                'rm:remove a secret, from .cs/secrets.age too (the other machines remove it at their next sync)' \
                'purge:remove every secret of the session' \
                'export:print export KEY=\'value\' lines for eval' \
                'render:print a captured file with its secrets\' values filled in' \
                'exec:run a command with the secrets in its environment' \
                'export-file:encrypt the secrets to .cs/secrets.age for every recipient' \
                'import-file:decrypt .cs/secrets.age with this machine\'s key and store it' \
                'backend:show where the secrets are kept, and why' \
                'migrate-backend:move every secret of the session to the other backend' \
                'age:this machine\'s age identity and the session\'s recipients'
        case 'args:secrets:age'
            printf '%s\n' \
                'init:make this machine\'s age identity and add it to the session' \
                'pubkey:print this machine\'s age public key' \
                'list:the session\'s recipients' \
                'add:add a recipient' \
                'remove:remove a recipient'
        case 'flags:conversations'
            printf '%s\n' \
                '--json:print JSON for scripts'
        case 'flags:spawn'
            printf '%s\n' \
                '--prompt:Claude\'s first prompt' \
                '--task:queue this task and arm the queue (cs <name> -queue); without --prompt Claude starts on it' \
                '--new:start a new conversation instead of resuming the latest one' \
                '--resume:resume this pinned conversation' \
                '--force:take over the session lock from another running cs'
        case 'flags:live'
            printf '%s\n' \
                '--json:print JSON for scripts'
        case 'flags:stop'
            printf '%s\n' \
                '--timeout:seconds Claude gets after /exit, and again after SIGTERM (default 10)'
        case 'flags:features'
            printf '%s\n' \
                '--json:print JSON for scripts'
        case 'flags:diff'
            printf '%s\n' \
                '--stat:only the files and line counts'
        case 'flags:watch'
            printf '%s\n' \
                '--notify:ring the bell and call notify-send (when installed) when a session starts needing you' \
                '--json:one JSON object a line' \
                '--interval:milliseconds between polls (default 500)'
        case 'flags:doctor'
            printf '%s\n' \
                '--json:print JSON for scripts'
        case 'flags:log'
            printf '%s\n' \
                '-n:only the newest N events' \
                '--follow:keep printing new events as they happen (Ctrl-C ends)' \
                '--json:print JSON (one object a line with --follow)'
        case 'flags:serve'
            printf '%s\n' \
                '--port:port to listen on (default 7420; 0 picks a free one)' \
                '--bind:address to listen on (default 127.0.0.1; others need a configured token and TLS)' \
                '--token-file:read the access token from FILE (else $CS_SERVE_TOKEN, else a random one)' \
                '--tls-cert:PEM certificate: serve HTTPS (with --tls-key)' \
                '--tls-key:PEM private key of --tls-cert' \
                '--devices:list the signed-in devices (each lasts 30 days)' \
                '--revoke:sign out the device with this id' \
                '--link:print a new one-time sign-in link for the cs -serve running here (each works once, for 15 minutes)' \
                '--json:with --devices or --link: print JSON'
        case 'flags:notify'
            printf '%s\n' \
                '--token-secret:name of the variable (or session secret) holding the bearer token for the URL' \
                '--json:with show: print JSON'
        case 'args:notify'
            printf '%s\n' \
                'set:send notifications to this URL' \
                'test:send a test notification now' \
                'off:send none' \
                'show:where notifications go'
        case 'flags:search'
            printf '%s\n' \
                '--archived:search only archived sessions' \
                '--all:search archived sessions too' \
                '--session:search only this session' \
                '--limit:show at most N results (default 20)' \
                '--json:print JSON for scripts'
        case 'flags:remote'
            printf '%s\n' \
                '--json:print JSON for scripts (list)' \
                '--mkroot:make the sessions root when missing'
        case 'args:remote'
            printf '%s\n' \
                'add:register a host under a short name' \
                'list:registered hosts' \
                'remove:forget a host (its sessions stay there)'
        case 'flags:update'
            printf '%s\n' \
                '--check:only report whether a newer version exists' \
                '--rollback:switch back to the previously installed version' \
                '--json:print the result as JSON'
        case 'flags:uninstall'
            printf '%s\n' \
                '--purge:also delete all sessions and secrets (asks first)' \
                '--yes:do not ask for confirmation'
    end
end
function __cs_id
    switch $argv[1]
        case '-adopt'
            echo adopt
        case '-list' '-ls'
            echo list
        case '-tag'
            echo tag
        case '-queue'
            echo queue
        case '-archive'
            echo archive
        case '-unarchive'
            echo unarchive
        case '-mv' '-rename'
            echo mv
        case '-statusline'
            echo statusline
        case '-usage'
            echo usage
        case '-remove' '-rm'
            echo remove
        case '-help' '-h' '--help'
            echo help
        case '-sync' '-s'
            echo sync
        case '-secrets'
            echo secrets
        case '-conversations'
            echo conversations
        case '-spawn'
            echo spawn
        case '-live'
            echo live
        case '-stop'
            echo stop
        case '-features'
            echo features
        case '-diff'
            echo diff
        case '-watch'
            echo watch
        case '-doctor'
            echo doctor
        case '-log'
            echo log
        case '-serve'
            echo serve
        case '-notify'
            echo notify
        case '-search'
            echo search
        case '-remote'
            echo remote
        case '-update'
            echo update
        case '-install'
            echo install
        case '-uninstall'
            echo uninstall
        case '-completions'
            echo completions
        case '-version' '-v' '--version'
            echo version
    end
end
function __cs_session_id
    switch $argv[1]
        case '-tag'
            echo tag
        case '-queue'
            echo queue
        case '-usage'
            echo usage
        case '-sync' '-s'
            echo sync_session
        case '-secrets'
            echo secrets
        case '-conversations'
            echo conversations
        case '-stop'
            echo stop
        case '-features'
            echo features
        case '-diff'
            echo diff
        case '-doctor'
            echo doctor
        case '-log'
            echo log
        case '-search'
            echo search
    end
end
function __cs_operand
    switch $argv[1]
        case 'archive'
            echo session
        case 'unarchive'
            echo session
        case 'mv'
            echo session
        case 'usage'
            echo session
        case 'remove'
            echo session
        case 'help'
            echo command
        case 'spawn'
            echo session
        case 'completions'
            echo shell
    end
end
function __cs_value_kind
    switch $argv[1]
        case '--on'
            echo host
        case '--move-to'
            echo host
        case '--session'
            echo session
    end
end
# $argv[1]: kind, $argv[2]: the command being completed
function __cs_kind
    switch $argv[1]
        case session
            set -l root $CS_SESSIONS_ROOT
            test -n "$root"; or set root $HOME/.claude-sessions
            for d in $root/*/.cs
                test -d $d; or continue
                printf '%s:session\n' (path basename (path dirname $d))
            end
        case host
            $argv[2] -completions --list hosts 2>/dev/null
        case '*'
            __cs_data kind:$argv[1]
    end
end

function __cs_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l n (count $words)
    set -l before $words
    set -e before[1]
    contains -- -- $before; and return
    set -l key
    set -l kind
    set -l id
    set -l argi 0
    test $n -gt 1; and set kind (__cs_value_kind $words[-1])
    if test -z "$kind"
        if test $n -eq 1
            set kind session
            set key top
        else if string match -q -- '-*' $words[2]
            set id (__cs_id $words[2])
            set argi 2
        else if test $n -eq 2
            set key after-session
        else
            set id (__cs_session_id $words[3])
            set argi 3
            if test -z "$id"
                set id open
                set argi 2
            end
        end
        if test -n "$id"
            string match -q -- '-*' "$cur"; and set key flags:$id
            if test $n -eq $argi
                set -a key args:$id
                set kind (__cs_operand $id)
            end
            if test $argi -gt 0; and test $n -eq (math $argi + 1); and string match -qr -- '^[a-z][a-z-]*$' $words[$n]
                set -a key args:$id:$words[$n]
            end
        end
    end
    begin
        for k in $key
            __cs_data $k
        end
        test -n "$kind"; and __cs_kind $kind $words[1]
    end | string replace -r ':' \t
end

complete -c cs -f -a '(__cs_complete)'
complete -c claude-sessions -f -a '(__cs_complete)'
