# simulator (vmtrace-sim): library part
