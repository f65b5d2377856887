<#
.SYNOPSIS
Installs xlfuncs for desktop Excel on Windows: a Python virtual environment with
xlfuncs and a compatible xlwings, then the xlfuncs add-in (`xlfuncs install`).

.DESCRIPTION
1. Checks that Excel is the desktop build, that "Trust access to the VBA project
   object model" is on, and finds a Python 3.10+ that is not the Microsoft Store build.
2. Creates the virtual environment (default %LOCALAPPDATA%\xlfuncs\venv) or reuses it.
3. pip-installs xlfuncs (from PyPI, or -Source: a wheel, sdist or folder) with the
   xlwings version it requires (from PyPI, or -Xlwings: a wheel or folder).
4. Runs `xlfuncs install`, then `xlfuncs doctor`.

-Uninstall runs `xlfuncs uninstall` and deletes the virtual environment if this
script created it. -DryRun shows what would be done and changes nothing.
The script is ASCII on purpose: Windows PowerShell 5.1 reads files without a BOM as ANSI.

.EXAMPLE
install.cmd
install.cmd -Source C:\Downloads\xlfuncs-0.1.0-py3-none-any.whl
install.cmd -DryRun
install.cmd -Uninstall
#>
[CmdletBinding()]
param(
    [string]$Source = "xlfuncs",
    [string]$Xlwings = "",
    [string]$VenvDir = "$env:LOCALAPPDATA\xlfuncs\venv",
    [string]$Python = "",
    [switch]$DryRun,
    [switch]$Uninstall
)

$ErrorActionPreference = "Stop"
$VenvPython = Join-Path $VenvDir "Scripts\python.exe"
$Marker = Join-Path $VenvDir "created-by-xlfuncs-installer.txt"
$TrustKeys = @("HKCU:\Software\Policies\Microsoft\Office\16.0\Excel\Security",  # a policy wins
               "HKCU:\Software\Microsoft\Office\16.0\Excel\Security")
$TrustHowTo = 'In Excel: File > Options > Trust Center > Trust Center Settings > Macro Settings, ' +
              'tick "Trust access to the VBA project object model" (registry ' +
              'HKCU\Software\Microsoft\Office\16.0\Excel\Security, AccessVBOM = 1), then run this again. ' +
              'Only installing needs it; you may turn it off afterwards.'

function Stop-Install([string]$Message) {
    Write-Host "xlfuncs installer: $Message" -ForegroundColor Red
    exit 1
}

function Write-Step([string]$Message) {
    if ($DryRun) { $Message = "would $Message" }
    Write-Host "==> $Message" -ForegroundColor Cyan
}

function Test-StorePath([string]$Path) {
    # Microsoft Store builds live under ...\WindowsApps or ...\Packages\PythonSoftwareFoundation...
    return ($Path -like "*WindowsApps*") -or ($Path -like "*\Packages\PythonSoftwareFoundation*")
}

function Invoke-Python([string]$Exe, [string[]]$Arguments) {
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { Stop-Install "'$Exe $($Arguments -join ' ')' failed (exit code $LASTEXITCODE)" }
}

function Find-BasePython {
    # The python.exe to create the virtual environment with: -Python, else the py launcher, else PATH.
    if ($Python) { $command = @($Python) }
    elseif (Get-Command py -ErrorAction SilentlyContinue) { $command = @("py", "-3") }
    elseif (Get-Command python -ErrorAction SilentlyContinue) {
        $found = (Get-Command python).Source
        if (Test-StorePath $found) {
            Stop-Install ("the only Python found is the Microsoft Store build or its 'python' alias ($found). " +
                          "Excel cannot start a Store Python: install Python 3.10+ from python.org and run this again.")
        }
        $command = @($found)
    }
    else { Stop-Install "no Python found: install Python 3.10+ from python.org (tick 'Add python.exe to PATH')." }
    $exe, $rest = $command
    $info = & $exe @rest -c "import sys; print(sys.executable); print(int(sys.version_info >= (3, 10)))"
    if ($LASTEXITCODE -ne 0 -or $info.Count -lt 2) { Stop-Install "could not run Python ($($command -join ' '))" }
    if ($info[1] -ne "1") { Stop-Install "$($info[0]) is older than Python 3.10: install a newer one from python.org." }
    if (Test-StorePath $info[0]) {
        Stop-Install ("$($info[0]) is the Microsoft Store Python, which Excel cannot start (xlwings issues #1166, #2371): " +
                      "install Python from python.org, or pass -Python C:\path\to\python.exe.")
    }
    return $info[0]
}

function Assert-DesktopExcel {
    $key = "HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\excel.exe"
    $excel = (Get-ItemProperty -Path $key -ErrorAction SilentlyContinue).'(default)'
    if (-not $excel) {
        Write-Host "note: Excel was not found in the registry (App Paths\excel.exe); trying anyway." -ForegroundColor Yellow
    }
    elseif (Test-StorePath $excel) {
        Stop-Install ("Excel is the Microsoft Store build ($excel), which cannot load xlwings' add-in " +
                      "(xlwings issue #1166): install the desktop Microsoft 365/Office Excel from office.com.")
    }
}

function Assert-VbaTrust {
    foreach ($key in $TrustKeys) {
        $value = (Get-ItemProperty -Path $key -Name AccessVBOM -ErrorAction SilentlyContinue).AccessVBOM
        if ($null -ne $value) {
            if ($value -eq 1) { return }
            break
        }
    }
    Stop-Install ('"Trust access to the VBA project object model" is off. ' + $TrustHowTo)
}

if ($Uninstall) {
    if (-not (Test-Path $VenvPython)) { Stop-Install "no virtual environment at $VenvDir, so nothing to uninstall." }
    Write-Step "run xlfuncs uninstall"
    $options = @("-m", "xlfuncs.cli", "uninstall")
    if ($DryRun) { $options += "--dry-run" }
    Invoke-Python $VenvPython $options
    if (Test-Path $Marker) {
        Write-Step "delete the virtual environment $VenvDir"
        if (-not $DryRun) { Remove-Item -Recurse -Force $VenvDir }
    }
    else { Write-Host "keeping $VenvDir (not created by this installer)" }
    exit 0
}

Assert-DesktopExcel
Assert-VbaTrust

if (Test-Path $VenvPython) {
    $base = & $VenvPython -c "import sys; print(sys.base_prefix)"
    if (Test-StorePath $base) { Stop-Install "$VenvDir was made with the Microsoft Store Python: delete it and run this again." }
    Write-Step "reuse the virtual environment $VenvDir"
}
else {
    $basePython = Find-BasePython
    Write-Step "create the virtual environment $VenvDir with $basePython"
    if (-not $DryRun) {
        Invoke-Python $basePython @("-m", "venv", $VenvDir)
        Set-Content -Path $Marker -Value "Created by the xlfuncs installer; install.cmd -Uninstall deletes this folder."
    }
}

$packages = @($Source)
if ($Xlwings) { $packages += $Xlwings }
Write-Step "pip install $($packages -join ' ') into $VenvDir"
if (-not $DryRun) {
    Invoke-Python $VenvPython (@("-m", "pip", "install", "--upgrade", "--disable-pip-version-check") + $packages)
}

if (-not (Test-Path $VenvPython)) {  # a dry run before the virtual environment exists
    Write-Host "dry run: 'xlfuncs install --dry-run' can run once the virtual environment exists."
    exit 0
}
$options = @("-m", "xlfuncs.cli", "install")
if ($DryRun) { $options += "--dry-run" }
Write-Host "==> xlfuncs install" -ForegroundColor Cyan
Invoke-Python $VenvPython $options

Write-Host "==> xlfuncs doctor" -ForegroundColor Cyan
& $VenvPython -m xlfuncs.cli doctor
if ($LASTEXITCODE -ne 0) { Stop-Install "xlfuncs doctor found a problem (FAIL above); each line says how to fix it." }
Write-Host "Done. In Excel, type =XLFUNCS() in any workbook." -ForegroundColor Green
