"""The Streamlit app: the only code that imports streamlit. Pages hold widgets and
service calls; the shell (`shell.main`) signs users in and routes with st.navigation."""
