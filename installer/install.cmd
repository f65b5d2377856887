@echo off
rem Double-click this file (or run it from a command prompt, with install.ps1's options,
rem e.g. install.cmd -Uninstall). It runs install.ps1 without changing PowerShell's
rem execution policy for anything else.
powershell.exe -NoProfile -ExecutionPolicy Bypass -File "%~dp0install.ps1" %*
set XLFUNCS_EXIT=%ERRORLEVEL%
rem Started by a double-click: keep the window open so the messages can be read.
echo %CMDCMDLINE% | findstr /i /c:"%~nx0" >nul && pause
exit /b %XLFUNCS_EXIT%
