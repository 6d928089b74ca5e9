@echo off
rem Runs the dashboard on Windows: run.py sets up .venv, builds the demo warehouse and starts
rem the server (http://localhost:8501). Double-click it, or run it with streamlit options.
rem The window stays open when something failed, so its message can be read.
chcp 65001 >nul
cd /d "%~dp0"
py -3 run.py %*
if errorlevel 1 (
  echo.
  if errorlevel 9009 echo Không tìm thấy Python: cài Python 3.11 trở lên từ https://www.python.org/downloads/ ^(chọn "Add python.exe to PATH"^).
  pause
)
