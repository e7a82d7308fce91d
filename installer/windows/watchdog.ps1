<#
.SYNOPSIS
  Yibao Station kiosk supervisor for Windows: the equivalent of systemd's Restart=always and
  WatchdogSec for yibao-kiosk.service.

.DESCRIPTION
  Starts "yibao.exe gui --mode kiosk" and, for ever:
  - restarts it 3 seconds after it exits, whatever the exit code (a crash, or the kiosk's own
    idle restart in its daily window, exit code 75);
  - kills and restarts it when its heartbeat file %LOCALAPPDATA%\yibao-station\kiosk.alive is
    older than 60 seconds. The kiosk rewrites that file every 10 seconds from its GUI thread
    (app/watchdog.py HeartbeatFile, ui/kiosk_watchdog.py), so a hung window stops it.
  The queue is in the kiosk's SQLite store, whose transactions survive a kill.

  Started at log-on by the scheduled task in yibao-kiosk-task.xml.
#>
param(
    [string]$Exe = "C:\Program Files\Yibao Station\yibao.exe",
    [int]$StaleSeconds = 60,
    [int]$StartGraceSeconds = 180,
    [int]$PollSeconds = 5,
    [int]$RestartDelaySeconds = 3
)

$DailyRestartExitCode = 75

$ErrorActionPreference = "Continue"
$StateDir = Join-Path $env:LOCALAPPDATA "yibao-station"
$Heartbeat = Join-Path $StateDir "kiosk.alive"
$PidFile = Join-Path $StateDir "kiosk.pid"
$LogFile = Join-Path $StateDir "watchdog.log"
New-Item -ItemType Directory -Force -Path $StateDir | Out-Null

function Write-Log([string]$Message) {
    $line = "{0:yyyy-MM-ddTHH:mm:ssK} {1}" -f (Get-Date), $Message
    Add-Content -Path $LogFile -Value $line -Encoding UTF8
}

function Stop-Kiosk([int]$KioskPid) {
    $proc = Get-Process -Id $KioskPid -ErrorAction SilentlyContinue
    if ($proc -and $proc.ProcessName -eq "yibao") {
        Stop-Process -Id $KioskPid -Force -ErrorAction SilentlyContinue
        $proc.WaitForExit(10000) | Out-Null
    }
}

# A kiosk left running by a supervisor that Task Scheduler stopped (the daily restart).
if (Test-Path $PidFile) {
    $old = (Get-Content $PidFile -ErrorAction SilentlyContinue | Select-Object -First 1) -as [int]
    if ($old) { Stop-Kiosk $old }
}

Remove-Item Env:QT_QPA_PLATFORM -ErrorAction SilentlyContinue

while ($true) {
    Remove-Item $Heartbeat -Force -ErrorAction SilentlyContinue
    $kiosk = Start-Process -FilePath $Exe -ArgumentList "gui", "--mode", "kiosk" -PassThru
    $null = $kiosk.Handle  # keep the handle, or ExitCode is empty once the process is gone
    Set-Content -Path $PidFile -Value $kiosk.Id -Encoding ASCII
    $started = Get-Date
    Write-Log "started kiosk pid $($kiosk.Id)"

    while (-not $kiosk.HasExited) {
        Start-Sleep -Seconds $PollSeconds
        if ($kiosk.HasExited) { break }
        if (Test-Path $Heartbeat) {
            $age = ((Get-Date) - (Get-Item $Heartbeat).LastWriteTime).TotalSeconds
        } else {
            # No heartbeat yet: the kiosk is starting (the store may be migrating).
            $age = ((Get-Date) - $started).TotalSeconds - $StartGraceSeconds + $StaleSeconds
        }
        if ($age -gt $StaleSeconds) {
            Write-Log "kiosk pid $($kiosk.Id) hung (heartbeat $([int]$age) s old); killing it"
            Stop-Kiosk $kiosk.Id
            break
        }
    }
    $code = if ($kiosk.HasExited) { $kiosk.ExitCode } else { "killed" }
    # 75: the kiosk's own daily restart, when it was idle in its restart window
    # (app/restart_window.py RESTART_EXIT_CODE); anything else is a crash, a hang or an exit.
    if ($code -eq $DailyRestartExitCode) { $code = "daily restart" }
    Write-Log "kiosk pid $($kiosk.Id) ended ($code); restarting in $RestartDelaySeconds s"
    Start-Sleep -Seconds $RestartDelaySeconds
}
