# agent (vmtraced): library part
